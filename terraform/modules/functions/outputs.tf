output "function_names" {
  description = "Function names keyed event_processor, struggle_detector, video_analyzer, intervention_executor."
  value       = { for k, f in aws_lambda_function.this : k => f.function_name }
}

output "function_arns" {
  description = "Function ARNs keyed like function_names."
  value       = { for k, f in aws_lambda_function.this : k => f.arn }
}

output "role_arns" {
  description = "Execution role ARNs keyed like function_names."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "role_names" {
  description = "Execution role names keyed like function_names."
  value       = { for k, r in aws_iam_role.this : k => r.name }
}

output "log_group_names" {
  description = "Log group names (/aws/lambda/<function>) keyed like function_names."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "environment_variable_names" {
  description = "Environment variable names each function gets, keyed like function_names (compared with functions/common/settings.py)."
  value       = { for k, env in local.environments : k => sort(keys(env)) }
}
