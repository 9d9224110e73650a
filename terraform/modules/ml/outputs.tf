output "endpoint_names" {
  description = "Endpoint names keyed exit_risk, video_engagement."
  value       = { for k, e in aws_sagemaker_endpoint.this : k => e.name }
}

output "endpoint_variant_name" {
  description = "Production variant name of both endpoints (CloudWatch VariantName dimension)."
  value       = local.variant
}

output "execution_role_arn" {
  description = "ARN of the SageMaker execution role."
  value       = aws_iam_role.execution.arn
}

output "notebook_name" {
  description = "Name of the notebook instance; null when sagemaker_notebook_enabled is off."
  value       = var.notebook_enabled ? aws_sagemaker_notebook_instance.this[0].name : null
}

output "pipeline_name" {
  description = "Name of the feature-engineering pipeline."
  value       = aws_sagemaker_pipeline.feature_engineering.pipeline_name
}

output "log_group_names" {
  description = "SageMaker log group names: endpoints keyed exit_risk, video_engagement, plus notebook when enabled."
  value = merge(
    { for k, g in aws_cloudwatch_log_group.endpoint : k => g.name },
    var.notebook_enabled ? { notebook = aws_cloudwatch_log_group.notebook[0].name } : {},
  )
}
