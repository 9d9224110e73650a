locals {
  stream_name = "uja-user-events-${var.context.qualifier}"
  stream_arn  = "arn:${var.context.partition}:kinesis:${var.context.region}:${var.context.account_id}:stream/${local.stream_name}"

  flink_name       = "uja-sessions-${var.context.qualifier}"
  flink_arn        = "arn:${var.context.partition}:kinesisanalytics:${var.context.region}:${var.context.account_id}:application/${local.flink_name}"
  flink_log_group  = "/aws/kinesis-analytics/${local.flink_name}"
  flink_log_stream = "application"
  flink_log_arn    = "arn:${var.context.partition}:logs:${var.context.region}:${var.context.account_id}:log-group:${local.flink_log_group}"
  flink_code_key   = "flink/sessions.zip"
  output_prefix    = "session-analytics/"
  # The user-events export the feature-engineering pipeline reads (docs/decisions.md: a spec deviation).
  export_prefix = "user-events-export/"
}

resource "aws_kinesis_stream" "this" {
  name             = local.stream_name
  shard_count      = var.shard_count
  retention_period = var.retention_period
  encryption_type  = "KMS"
  kms_key_id       = var.events_key_arn

  shard_level_metrics = ["IncomingRecords", "IteratorAgeMilliseconds", "WriteProvisionedThroughputExceeded"]

  stream_mode_details {
    stream_mode = "PROVISIONED"
  }

  tags = var.data_store_tags
}

# ---------------------------------------------------------------------------
# Managed Service for Apache Flink: per-session aggregates (flink_enabled)
# ---------------------------------------------------------------------------
resource "aws_s3_object" "flink_code" {
  count = var.flink_enabled ? 1 : 0

  bucket                 = var.artifacts_bucket_name
  key                    = local.flink_code_key
  source                 = var.flink_code_path
  source_hash            = filemd5(var.flink_code_path)
  server_side_encryption = "aws:kms"
  kms_key_id             = var.storage_key_arn
  bucket_key_enabled     = true
}

resource "aws_cloudwatch_log_group" "flink" {
  count = var.flink_enabled ? 1 : 0

  name              = local.flink_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_key_arn
}

resource "aws_cloudwatch_log_stream" "flink" {
  count = var.flink_enabled ? 1 : 0

  name           = local.flink_log_stream
  log_group_name = aws_cloudwatch_log_group.flink[0].name
}

module "flink_trust" {
  source      = "../service_role_trust"
  context     = var.context
  service     = "kinesisanalytics.amazonaws.com"
  source_arns = [local.flink_arn]
}

module "kms_grants" {
  source  = "../kms_alias_grant"
  context = var.context
  grants = [
    { sid = "EventsKeyViaKinesis", actions = ["kms:Decrypt"], alias_name = var.key_alias_names["events"], via_services = ["kinesis"] },
    { sid = "StorageKeyViaS3", actions = ["kms:Decrypt", "kms:GenerateDataKey"], alias_name = var.key_alias_names["storage"], via_services = ["s3"] },
  ]
}

data "aws_iam_policy_document" "flink" {
  source_policy_documents = [module.kms_grants.json]

  statement {
    sid       = "ReadStream"
    actions   = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"]
    resources = [local.stream_arn]
  }
  statement {
    sid       = "ReadCode"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["arn:${var.context.partition}:s3:::${var.artifacts_bucket_name}/${local.flink_code_key}"]
  }
  # The S3 file sinks write multipart uploads and abort unfinished ones on recovery.
  statement {
    sid       = "WriteAnalyticsPrefixes"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    resources = [for p in [local.output_prefix, local.export_prefix] : "arn:${var.context.partition}:s3:::${var.analytics_bucket_name}/${p}*"]
  }
  statement {
    sid       = "ListAnalyticsPrefixes"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${var.context.partition}:s3:::${var.analytics_bucket_name}"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.output_prefix}*", "${local.export_prefix}*"]
    }
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = [local.flink_log_arn, "${local.flink_log_arn}:log-stream:*"]
  }
}

resource "aws_iam_role" "flink" {
  count = var.flink_enabled ? 1 : 0

  name               = "uja-sessions-${var.context.qualifier}"
  assume_role_policy = module.flink_trust.json
}

resource "aws_iam_role_policy" "flink" {
  count = var.flink_enabled ? 1 : 0

  name   = "sessions"
  role   = aws_iam_role.flink[0].id
  policy = data.aws_iam_policy_document.flink.json
}

resource "aws_kinesisanalyticsv2_application" "sessions" {
  count = var.flink_enabled ? 1 : 0

  name                   = local.flink_name
  runtime_environment    = "FLINK-1_20"
  service_execution_role = aws_iam_role.flink[0].arn
  start_application      = true

  application_configuration {
    application_code_configuration {
      code_content_type = "ZIPFILE"
      code_content {
        s3_content_location {
          bucket_arn     = "arn:${var.context.partition}:s3:::${var.artifacts_bucket_name}"
          file_key       = aws_s3_object.flink_code[0].key
          object_version = aws_s3_object.flink_code[0].version_id
        }
      }
    }

    application_snapshot_configuration {
      snapshots_enabled = true
    }

    environment_properties {
      # PyFlink entry point; the job adds the connector jar under lib/ to pipeline.jars itself.
      property_group {
        property_group_id = "kinesis.analytics.flink.run.options"
        property_map = {
          python = "main.py"
        }
      }
      property_group {
        property_group_id = "SessionsJob"
        property_map = {
          "stream.name"         = aws_kinesis_stream.this.name
          "stream.arn"          = local.stream_arn
          "aws.region"          = var.context.region
          "output.path"         = "s3://${var.analytics_bucket_name}/${local.output_prefix}"
          "export.path"         = "s3://${var.analytics_bucket_name}/${local.export_prefix}"
          "session.gap.minutes" = "30"
        }
      }
    }

    flink_application_configuration {
      checkpoint_configuration {
        configuration_type            = "CUSTOM"
        checkpointing_enabled         = true
        checkpoint_interval           = 60000
        min_pause_between_checkpoints = 5000
      }
      monitoring_configuration {
        configuration_type = "CUSTOM"
        log_level          = "INFO"
        metrics_level      = "APPLICATION"
      }
      parallelism_configuration {
        configuration_type   = "CUSTOM"
        parallelism          = var.flink_parallelism
        parallelism_per_kpu  = 1
        auto_scaling_enabled = false
      }
    }
  }

  cloudwatch_logging_options {
    log_stream_arn = "${local.flink_log_arn}:log-stream:${aws_cloudwatch_log_stream.flink[0].name}"
  }

  # The role's grants must exist before the service validates them on create.
  depends_on = [aws_iam_role_policy.flink]
}
