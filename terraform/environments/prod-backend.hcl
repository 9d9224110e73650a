# deploy.sh adds bucket = "uja-tfstate-<account_id>-prod" from the bootstrap outputs.
key          = "user-journey-analytics/prod/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
