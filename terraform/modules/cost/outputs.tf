output "budget_name" {
  description = "Name of the monthly budget (null when budget_enabled is off)."
  value       = one(aws_budgets_budget.monthly[*].name)
}

output "anomaly_monitor_arn" {
  description = "ARN of the cost anomaly monitor (null when cost_anomaly_enabled is off)."
  value       = one(aws_ce_anomaly_monitor.environment[*].arn)
}
