output "stream_name" {
  description = "Name of the user-events stream."
  value       = aws_kinesis_stream.this.name
}

output "stream_arn" {
  description = "ARN of the user-events stream, built from its name so policies are known at plan time."
  value       = local.stream_arn
  # Consumers (event source mapping, policies) need the stream to exist.
  depends_on = [aws_kinesis_stream.this]
}

output "flink_application_name" {
  description = "Name of the Flink sessions application; null when flink_enabled is off."
  value       = var.flink_enabled ? aws_kinesisanalyticsv2_application.sessions[0].name : null
}

output "flink_role_arn" {
  description = "ARN of the Flink application's role; null when flink_enabled is off."
  value       = var.flink_enabled ? aws_iam_role.flink[0].arn : null
}
