# deploy.sh adds bucket = "uja-tfstate-<account_id>-staging" from the bootstrap outputs.
key          = "user-journey-analytics/staging/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
