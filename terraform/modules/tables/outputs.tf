output "table_names" {
  description = "Table names keyed user_profiles, user_events, struggle_signals, video_engagement, idempotency."
  value       = local.table_names
  depends_on  = [aws_dynamodb_table.this]
}

output "table_arns" {
  description = "Table ARNs keyed like table_names; built from the names, so known at plan time (indexes: <arn>/index/*)."
  value       = local.table_arns
  depends_on  = [aws_dynamodb_table.this]
}
