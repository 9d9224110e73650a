locals {
  database_name = "uja-${var.context.qualifier}"
  table_names = {
    user_metrics      = "user-metrics"
    session_analytics = "session-analytics"
    struggle_signals  = "struggle-signals"
    video_engagement  = "video-engagement"
  }
  database_arn = "arn:${var.context.partition}:timestream:${var.context.region}:${var.context.account_id}:database/${local.database_name}"
  table_arns   = { for key, name in local.table_names : key => "${local.database_arn}/table/${name}" }
}

resource "aws_timestreamwrite_database" "this" {
  database_name = local.database_name
  kms_key_id    = var.storage_key_arn
  tags          = var.tags
}

resource "aws_timestreamwrite_table" "this" {
  for_each = local.table_names

  database_name = aws_timestreamwrite_database.this.database_name
  table_name    = each.value
  tags          = var.tags

  retention_properties {
    memory_store_retention_period_in_hours  = var.retention_memory_hours
    magnetic_store_retention_period_in_days = var.retention_magnetic_days
  }

  # Late records (older than the memory store) go to the magnetic store; those it rejects are
  # reported to S3 instead of being lost silently.
  magnetic_store_write_properties {
    enable_magnetic_store_writes = true
    magnetic_store_rejected_data_location {
      s3_configuration {
        bucket_name       = var.rejected_records_bucket
        object_key_prefix = "timestream-rejected/${each.value}/"
        encryption_option = "SSE_KMS"
        kms_key_id        = var.storage_key_arn
      }
    }
  }
}
