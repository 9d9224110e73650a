# Outputs of the account bootstrap (state buckets, account key, alerts topic).
