output "bucket_names" {
  description = "Bucket names keyed event_logs, analytics_data, artifacts, access_logs."
  value       = local.bucket_names
  # Objects written to a bucket wait for its versioning and default encryption: one written before
  # gets a null version (which moto's force_destroy cannot delete) and the default SSE-S3.
  depends_on = [aws_s3_bucket.this, module.access_logs, module.bucket]
}

output "bucket_arns" {
  description = "Bucket ARNs keyed like bucket_names; built from the names, so known at plan time."
  value       = local.bucket_arns
  # Known at plan time, yet consumers (objects, policies, notifications) wait for the buckets.
  depends_on = [aws_s3_bucket.this, module.access_logs, module.bucket]
}
