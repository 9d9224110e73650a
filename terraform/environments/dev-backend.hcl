# deploy.sh adds bucket = "uja-tfstate-<account_id>-dev" from the bootstrap outputs.
key          = "user-journey-analytics/dev/terraform.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
