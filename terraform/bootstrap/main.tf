# Account bootstrap (applied once per account): see README.md in this directory.
provider "aws" {
  region = var.aws_region
}
