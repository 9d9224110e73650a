# Hermetic plan inputs of terraform/bootstrap (the account being bootstrapped; no AWS call).
account_id = "123456789012"
