provider "aws" {
  region = var.aws_region

  # The account comes from var.account_id, so the provider never needs STS (plans run offline);
  # wrong credentials still fail at the first real API call.
  skip_credentials_validation = true
  skip_requesting_account_id  = true

  default_tags {
    tags = {
      Project            = "user-journey-analytics"
      Environment        = "account"
      ManagedBy          = "terraform"
      Owner              = var.owner
      CostCenter         = var.cost_center
      DataClassification = "internal"
    }
  }
}
