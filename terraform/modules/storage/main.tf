locals {
  components = {
    event_logs     = "event-logs"
    analytics_data = "analytics-data"
    artifacts      = "artifacts"
    access_logs    = "access-logs"
  }
  bucket_names = { for key, component in local.components : key => "uja-${component}-${var.context.qualifier}-${var.context.account_id}" }
  bucket_arns  = { for key, name in local.bucket_names : key => "arn:${var.context.partition}:s3:::${name}" }

  # Buckets whose server access logs go to access-logs (it cannot log to itself).
  logged = { for key, name in local.bucket_names : key => name if key != "access_logs" }

  # Current-version expiration: analytics data lives twice as long as the raw event logs;
  # artifacts (deployed code and models) never expire.
  expiration_days = {
    event_logs     = var.expiration_days
    analytics_data = 2 * var.expiration_days
    artifacts      = null
    access_logs    = var.access_log_retention_days
  }
  tiered = toset(["event_logs", "analytics_data"])

  # S3 server access logging delivers as the logging service, only for this account's buckets.
  log_delivery = {
    Sid       = "S3ServerAccessLogDelivery"
    Effect    = "Allow"
    Principal = { Service = "logging.s3.amazonaws.com" }
    Action    = "s3:PutObject"
    Resource  = "${local.bucket_arns["access_logs"]}/*"
    Condition = {
      StringEquals = { "aws:SourceAccount" = var.context.account_id }
      ArnLike      = { "aws:SourceArn" = [for key in keys(local.logged) : local.bucket_arns[key]] }
    }
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.bucket_names

  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = each.key == "access_logs" ? {} : var.data_tags
}

# access-logs uses SSE-S3: S3 server access log delivery cannot write to SSE-KMS targets
# (spec section 3, S3; the one waived encryption finding). It is configured first: the other
# buckets' log delivery needs its policy.
module "access_logs" {
  source = "../s3_bucket"

  bucket                     = aws_s3_bucket.this["access_logs"].id
  bucket_arn                 = local.bucket_arns["access_logs"]
  sse_algorithm              = "AES256"
  policy_statements          = [local.log_delivery]
  expiration_days            = local.expiration_days["access_logs"]
  noncurrent_expiration_days = var.noncurrent_expiration_days
}

module "bucket" {
  source   = "../s3_bucket"
  for_each = local.logged

  bucket                     = aws_s3_bucket.this[each.key].id
  bucket_arn                 = local.bucket_arns[each.key]
  kms_key_arn                = var.storage_key_arn
  transitions                = contains(local.tiered, each.key) ? { STANDARD_IA = var.transition_ia_days, GLACIER = var.transition_glacier_days } : {}
  expiration_days            = local.expiration_days[each.key]
  noncurrent_expiration_days = var.noncurrent_expiration_days
  logging                    = { target_bucket = aws_s3_bucket.this["access_logs"].id, target_prefix = "${each.value}/" }

  depends_on = [module.access_logs]
}
