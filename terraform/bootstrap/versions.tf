terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # The first apply runs with a local backend override; then init -migrate-state moves the state
  # into the bucket this root creates (README.md).
  backend "s3" {}
}
