# One customer-managed key per domain. Key policies are built from the account, region and
# partition only, so the whole document is known at plan time.
locals {
  domains = {
    events  = "Kinesis stream, SQS queues and SNS topics"
    storage = "DynamoDB tables, S3 buckets, Timestream and Lambda environment variables"
    ml      = "SageMaker endpoints, notebook and the Bedrock agent"
    logs    = "CloudWatch Logs log groups"
  }

  alias_names = { for domain in keys(local.domains) : domain => "alias/uja-${domain}-${var.context.qualifier}" }

  account_root = "arn:${var.context.partition}:iam::${var.context.account_id}:root"

  # The only statement with kms:* on *: AWS requires the account to administer its keys, and
  # IAM principals of this system get use through their own policies (alias condition).
  root_statement = {
    Sid       = "AccountAdministers"
    Effect    = "Allow"
    Principal = { AWS = local.account_root }
    Action    = "kms:*"
    Resource  = "*"
  }

  # Services that publish to the encrypted alerts topic (events key) on their own behalf.
  publishers = {
    CloudWatchAlarms     = { service = "cloudwatch.amazonaws.com", source_arn = "arn:${var.context.partition}:cloudwatch:${var.context.region}:${var.context.account_id}:alarm:*" }
    EventBridgeRules     = { service = "events.amazonaws.com", source_arn = "arn:${var.context.partition}:events:${var.context.region}:${var.context.account_id}:rule/*" }
    Budgets              = { service = "budgets.amazonaws.com", source_arn = "arn:${var.context.partition}:budgets::${var.context.account_id}:budget/*" }
    CostAnomalyDetection = { service = "costalerts.amazonaws.com", source_arn = "arn:${var.context.partition}:ce::${var.context.account_id}:anomalysubscription/*" }
  }

  service_statements = {
    events = [for sid, p in local.publishers : {
      Sid       = sid
      Effect    = "Allow"
      Principal = { Service = p.service }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
      Resource  = "*"
      Condition = {
        StringEquals = { "aws:SourceAccount" = var.context.account_id }
        ArnLike      = { "aws:SourceArn" = p.source_arn }
      }
    }]
    storage = []
    ml      = []
    # CloudWatch Logs encrypts each log group under an encryption context naming that group.
    logs = [{
      Sid       = "CloudWatchLogs"
      Effect    = "Allow"
      Principal = { Service = "logs.${var.context.region}.amazonaws.com" }
      Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      Resource  = "*"
      Condition = {
        ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${var.context.partition}:logs:${var.context.region}:${var.context.account_id}:log-group:*" }
      }
    }]
  }
}

resource "aws_kms_key" "this" {
  for_each = local.domains

  description             = "uja-${each.key}-${var.context.qualifier}: ${each.value}"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_days
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat([local.root_statement], local.service_statements[each.key])
  })
}

resource "aws_kms_alias" "this" {
  for_each = local.domains

  name          = local.alias_names[each.key]
  target_key_id = aws_kms_key.this[each.key].key_id
}
