# Hermetic plan inputs (applied after environments/<env>.tfvars): no data source calls AWS.
account_id         = "123456789012"
availability_zones = ["us-east-1a", "us-east-1b"]
