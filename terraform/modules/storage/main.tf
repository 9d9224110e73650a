locals {
  components = {
    event_logs     = "event-logs"
    analytics_data = "analytics-data"
    artifacts      = "artifacts"
    access_logs    = "access-logs"
  }
  bucket_names = { for key, component in local.components : key => "uja-${component}-${var.qualifier}-${var.account_id}" }
  bucket_arns  = { for key, name in local.bucket_names : key => "arn:${var.partition}:s3:::${name}" }

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

  tls_only = { for key, arn in local.bucket_arns : key => {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = { AWS = "*" } # same as "*"; moto's logging-target check cannot parse the bare string
    Action    = "s3:*"
    Resource  = [arn, "${arn}/*"]
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  } }

  # S3 server access logging delivers as the logging service, only for this account's buckets.
  log_delivery = {
    Sid       = "S3ServerAccessLogDelivery"
    Effect    = "Allow"
    Principal = { Service = "logging.s3.amazonaws.com" }
    Action    = "s3:PutObject"
    Resource  = "${local.bucket_arns["access_logs"]}/*"
    Condition = {
      StringEquals = { "aws:SourceAccount" = var.account_id }
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

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

# access-logs uses SSE-S3: S3 server access log delivery cannot write to SSE-KMS targets
# (spec section 3, S3; the one waived encryption finding).
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = each.key == "access_logs" ? "AES256" : "aws:kms"
      kms_master_key_id = each.key == "access_logs" ? null : var.storage_key_arn
    }
    bucket_key_enabled = each.key != "access_logs"
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat([local.tls_only[each.key]], [for s in [local.log_delivery] : s if each.key == "access_logs"])
  })

  # S3 rejects concurrent policy and public-access-block changes on one bucket.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_logging" "this" {
  for_each = local.logged

  bucket        = aws_s3_bucket.this[each.key].id
  target_bucket = aws_s3_bucket.this["access_logs"].id
  target_prefix = "${each.value}/"

  # Delivery needs the access-logs bucket policy in place.
  depends_on = [aws_s3_bucket_policy.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    id     = "retention"
    status = "Enabled"
    filter {}

    dynamic "transition" {
      for_each = contains(local.tiered, each.key) ? { STANDARD_IA = var.transition_ia_days, GLACIER = var.transition_glacier_days } : {}
      content {
        storage_class = transition.key
        days          = transition.value
      }
    }

    dynamic "expiration" {
      for_each = local.expiration_days[each.key] == null ? [] : [local.expiration_days[each.key]]
      content {
        days = expiration.value
      }
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Lifecycle rules on a versioned bucket act on versions: configure versioning first.
  depends_on = [aws_s3_bucket_versioning.this]
}
