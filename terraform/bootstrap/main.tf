# Account bootstrap (applied once per account): see README.md in this directory.
# Every policy below is built from the account, region and partition, so it is known at plan time.

locals {
  account_id = var.account_id
  partition  = var.aws_partition
  region     = var.aws_region

  account_root = "arn:${local.partition}:iam::${local.account_id}:root"
  key_alias    = "alias/uja-account"

  state_buckets = { for env in var.environments : env => "uja-tfstate-${local.account_id}-${env}" }
  state_arns    = { for env, name in local.state_buckets : env => "arn:${local.partition}:s3:::${name}" }
  audit_bucket  = "uja-audit-${local.account_id}"
  audit_arn     = "arn:${local.partition}:s3:::${local.audit_bucket}"

  trail_name     = "uja-account-trail"
  trail_arn      = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.trail_name}"
  trail_glob     = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*"
  rule_name      = "uja-account-security-events"
  rule_arn       = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${local.rule_name}"
  trail_logs     = "/aws/cloudtrail/${local.trail_name}"
  trail_logs_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.trail_logs}"
  topic_name     = "uja-account-alerts"
  topic_arn      = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.topic_name}"
  access_logs    = "s3-access" # prefix of the state buckets' server access logs in the audit bucket

  # Every bucket here: SSE-KMS with the account key, versioned, private, TLS only.
  buckets     = merge(local.state_buckets, { audit = local.audit_bucket })
  bucket_tags = { DataClassification = "confidential" } # state files and audit logs
}

# ---------------------------------------------------------------------------
# Account key: state, audit logs and the account alerts topic
# ---------------------------------------------------------------------------
resource "aws_kms_key" "account" {
  description             = "uja-account: Terraform state, CloudTrail, audit bucket, account alerts"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudTrailEncryptsLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "kms:GenerateDataKey*"
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceArn" = local.trail_arn }
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = local.trail_glob }
        }
      },
      {
        Sid       = "CloudTrailDescribesKey"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "kms:DescribeKey"
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "CloudWatchLogsEncryptsTrailLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = { ArnEquals = { "kms:EncryptionContext:aws:logs:arn" = local.trail_logs_arn } }
      },
      {
        Sid       = "EventBridgePublishesAlerts"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = local.rule_arn }
        }
      },
      {
        Sid       = "S3ServerAccessLogDelivery"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = values(local.state_arns) }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "account" {
  name          = local.key_alias
  target_key_id = aws_kms_key.account.key_id
}

# ---------------------------------------------------------------------------
# Buckets: one state bucket per environment, and the audit bucket
# ---------------------------------------------------------------------------
resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  bucket = each.value
  tags   = local.bucket_tags

  lifecycle {
    prevent_destroy = true # losing state or the audit trail is not recoverable
  }
}

# The audit bucket admits CloudTrail and the state buckets' access log delivery; it is configured
# first: that delivery needs its policy.
module "audit" {
  source = "../modules/s3_bucket"

  bucket      = aws_s3_bucket.this["audit"].id
  bucket_arn  = local.audit_arn
  kms_key_arn = aws_kms_key.account.arn
  policy_statements = [
    {
      Sid       = "CloudTrailChecksAcl"
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "s3:GetBucketAcl"
      Resource  = local.audit_arn
      Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
    },
    {
      Sid       = "CloudTrailWritesLogs"
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${local.audit_arn}/cloudtrail/AWSLogs/${local.account_id}/*"
      Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn, "s3:x-amz-acl" = "bucket-owner-full-control" } }
    },
    {
      Sid       = "S3ServerAccessLogDelivery"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${local.audit_arn}/${local.access_logs}/*"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = values(local.state_arns) }
      }
    },
  ]
  # Audit logs age into GLACIER and expire.
  transitions                = { GLACIER = 90 }
  expiration_days            = var.audit_retention_days
  noncurrent_expiration_days = 30
}

# Current state files never expire; noncurrent versions are the history to roll a bad state back.
module "state" {
  source   = "../modules/s3_bucket"
  for_each = local.state_buckets

  bucket                     = aws_s3_bucket.this[each.key].id
  bucket_arn                 = local.state_arns[each.key]
  kms_key_arn                = aws_kms_key.account.arn
  noncurrent_expiration_days = var.state_noncurrent_days
  logging                    = { target_bucket = aws_s3_bucket.this["audit"].id, target_prefix = "${local.access_logs}/${each.value}/" }

  depends_on = [module.audit]
}

# ---------------------------------------------------------------------------
# CloudTrail: every region, management events, log file validation
# ---------------------------------------------------------------------------
resource "aws_cloudtrail" "account" {
  name                          = local.trail_name
  s3_bucket_name                = aws_s3_bucket.this["audit"].id
  s3_key_prefix                 = "cloudtrail"
  kms_key_id                    = aws_kms_key.account.arn
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.trail_logs.arn

  depends_on = [module.audit, aws_iam_role_policy.trail_logs]
}

# A searchable copy of the trail (Logs Insights) next to the durable one in the audit bucket.
resource "aws_cloudwatch_log_group" "trail" {
  name              = local.trail_logs
  retention_in_days = var.trail_log_retention_days
  kms_key_id        = aws_kms_key.account.arn
}

resource "aws_iam_role" "trail_logs" {
  name = "uja-account-trail-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id, "aws:SourceArn" = local.trail_arn }
      }
    }]
  })
}

resource "aws_iam_role_policy" "trail_logs" {
  name = "write-trail-log-group"
  role = aws_iam_role.trail_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${local.trail_logs_arn}:log-stream:*"
    }]
  })
}

# ---------------------------------------------------------------------------
# Security events -> uja-account-alerts
# ---------------------------------------------------------------------------
resource "aws_sns_topic" "account_alerts" {
  name              = local.topic_name
  kms_master_key_id = aws_kms_key.account.arn
}

resource "aws_sns_topic_policy" "account_alerts" {
  arn = aws_sns_topic.account_alerts.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountPrincipals"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = ["sns:Publish", "sns:Subscribe", "sns:Receive", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"]
        Resource  = local.topic_arn
        Condition = { StringEquals = { "aws:PrincipalAccount" = local.account_id } }
      },
      {
        Sid       = "SecurityEventRulePublishes"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = local.topic_arn
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnEquals    = { "aws:SourceArn" = local.rule_arn }
        }
      },
    ]
  })
}

# Changes that weaken the audit trail, the keys or bucket protection, and root sign-ins.
resource "aws_cloudwatch_event_rule" "security_events" {
  name        = local.rule_name
  description = "Root sign-in, CloudTrail tampering, KMS key disable/deletion, S3 policy and public-access changes"
  event_pattern = jsonencode({
    "$or" = [
      {
        "detail-type" = ["AWS Console Sign In via CloudTrail"]
        detail        = { userIdentity = { type = ["Root"] } }
      },
      {
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["cloudtrail.amazonaws.com"]
          eventName   = ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"]
        }
      },
      {
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["kms.amazonaws.com"]
          eventName   = ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"]
        }
      },
      {
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["s3.amazonaws.com"]
          eventName   = ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock"]
        }
      },
    ]
  })
}

resource "aws_cloudwatch_event_target" "security_events" {
  rule      = aws_cloudwatch_event_rule.security_events.name
  target_id = "account-alerts"
  arn       = aws_sns_topic.account_alerts.arn

  depends_on = [aws_sns_topic_policy.account_alerts]
}

# ---------------------------------------------------------------------------
# Cost allocation: the budgets and anomaly monitor filter on the Environment tag
# ---------------------------------------------------------------------------
resource "aws_ce_cost_allocation_tag" "environment" {
  count = var.cost_allocation_tag_enabled ? 1 : 0

  tag_key = "Environment"
  status  = "Active"
}
