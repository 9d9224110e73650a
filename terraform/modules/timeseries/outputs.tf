output "database_name" {
  description = "Name of the Timestream database (uja-<qualifier>)."
  value       = aws_timestreamwrite_database.this.database_name
}

output "database_arn" {
  description = "ARN of the database; built from its name, so known at plan time."
  value       = local.database_arn
  depends_on  = [aws_timestreamwrite_database.this]
}

output "table_names" {
  description = "Table names keyed user_metrics, session_analytics, struggle_signals, video_engagement."
  value       = local.table_names
  depends_on  = [aws_timestreamwrite_table.this]
}

output "table_arns" {
  description = "Table ARNs keyed like table_names; built from the names, so known at plan time."
  value       = local.table_arns
  depends_on  = [aws_timestreamwrite_table.this]
}
