provider "aws" {
  region = var.aws_region

  # null unless a test harness points the provider at moto (fake credentials, no real account).
  access_key = var.aws_access_key
  secret_key = var.aws_secret_key

  # With account_id given (tests, integration) the plan needs no STS call: see spec section 1.
  skip_credentials_validation = var.aws_endpoint_url != null || var.account_id != null
  skip_requesting_account_id  = var.aws_endpoint_url != null || var.account_id != null
  skip_metadata_api_check     = var.aws_endpoint_url != null
  skip_region_validation      = var.aws_endpoint_url != null
  s3_use_path_style           = var.aws_endpoint_url != null

  dynamic "endpoints" {
    for_each = var.aws_endpoint_url == null ? [] : [var.aws_endpoint_url]
    content {
      applicationautoscaling = endpoints.value
      bedrock                = endpoints.value
      bedrockagent           = endpoints.value
      budgets                = endpoints.value
      ce                     = endpoints.value
      cloudtrail             = endpoints.value
      cloudwatch             = endpoints.value
      cloudwatchlogs         = endpoints.value
      dynamodb               = endpoints.value
      ec2                    = endpoints.value
      events                 = endpoints.value
      iam                    = endpoints.value
      kinesis                = endpoints.value
      kinesisanalyticsv2     = endpoints.value
      kms                    = endpoints.value
      lambda                 = endpoints.value
      s3                     = endpoints.value
      sagemaker              = endpoints.value
      sns                    = endpoints.value
      sqs                    = endpoints.value
      sts                    = endpoints.value
      timestreamwrite        = endpoints.value
    }
  }

  default_tags {
    tags = local.default_tags
  }
}
