output "alarm_names" {
  description = "Alarm names keyed by what they watch (e.g. event_processor_errors, user_events_throttles)."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}

output "dashboard_name" {
  description = "Name of the environment's CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
