terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Bucket, key and (against moto) endpoint come from -backend-config: see deploy.sh.
  backend "s3" {}
}
