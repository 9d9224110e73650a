# One bucket's configuration: the caller owns the aws_s3_bucket itself (its name, tags,
# force_destroy and, in the bootstrap, prevent_destroy, which Terraform cannot take from a variable).
# Always on, since every bucket here wants them: bucket-owner ownership (no ACLs), all public
# access blocked, versioning, a TLS-only policy, noncurrent-version expiry and aborting incomplete
# uploads. Toggles: SSE-KMS with a given key or SSE-S3, extra policy statements, transitions, expiration
# and server access logging.

locals {
  deny_insecure_transport = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = { AWS = "*" } # same as "*"; moto's logging-target check cannot parse the bare string
    Action    = "s3:*"
    Resource  = [var.bucket_arn, "${var.bucket_arn}/*"]
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = var.bucket
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = var.bucket
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = var.bucket
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = var.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.sse_algorithm
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.sse_algorithm == "aws:kms"
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = var.bucket
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat([local.deny_insecure_transport], var.policy_statements)
  })

  # S3 rejects concurrent policy and public-access-block changes on one bucket.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_logging" "this" {
  count = var.logging == null ? 0 : 1

  bucket        = var.bucket
  target_bucket = var.logging.target_bucket
  target_prefix = var.logging.target_prefix
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = var.bucket

  rule {
    id     = "retention"
    status = "Enabled"
    filter {}

    dynamic "transition" {
      for_each = var.transitions
      content {
        storage_class = transition.key
        days          = transition.value
      }
    }

    dynamic "expiration" {
      for_each = var.expiration_days == null ? [] : [var.expiration_days]
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
