# Root outputs. Each part of the system adds its own section below.

# ---------------------------------------------------------------------------
# Network, keys and the data layer
# ---------------------------------------------------------------------------
output "vpc_id" {
  description = "Id of the VPC."
  value       = module.network.vpc_id
}

output "kms_alias_names" {
  description = "KMS alias names keyed events, storage, ml, logs."
  value       = module.keys.alias_names
}

output "bucket_names" {
  description = "S3 bucket names keyed event_logs, analytics_data, artifacts, access_logs."
  value       = module.storage.bucket_names
}

output "table_names" {
  description = "DynamoDB table names keyed user_profiles, user_events, struggle_signals, video_engagement, idempotency."
  value       = module.tables.table_names
}

output "timestream_database_name" {
  description = "Timestream database name; null when timestream_enabled is false."
  value       = one(module.timeseries[*].database_name)
}

output "queue_urls" {
  description = "SQS queue URLs keyed struggle_signals, video_analysis, interventions, stream_failures and <consumer>_dlq."
  value       = module.messaging.queue_urls
}

output "topic_arns" {
  description = "SNS topic ARNs keyed alerts, user_interventions."
  value       = module.messaging.topic_arns
}

# ---------------------------------------------------------------------------
# Streaming, functions, the Bedrock agent and SageMaker
# ---------------------------------------------------------------------------
output "stream_name" {
  description = "Name of the user-events Kinesis stream."
  value       = module.streaming.stream_name
}

output "flink_application_name" {
  description = "Name of the Flink sessions application; null when flink_enabled is false."
  value       = module.streaming.flink_application_name
}

output "function_names" {
  description = "Lambda function names keyed event_processor, struggle_detector, video_analyzer, intervention_executor."
  value       = module.functions.function_names
}

output "function_environment_variable_names" {
  description = "Environment variable names per function (the contract with functions/common/settings.py REQUIRED_ENV)."
  value       = module.functions.environment_variable_names
}

output "agent_id" {
  description = "Id of the Bedrock agent; null when bedrock_enabled is false."
  value       = one(module.agent[*].agent_id)
}

output "agent_alias_id" {
  description = "Id of the agent's live alias; null when bedrock_enabled is false."
  value       = one(module.agent[*].alias_id)
}

output "endpoint_names" {
  description = "SageMaker endpoint names keyed exit_risk, video_engagement."
  value       = module.ml.endpoint_names
}

output "sagemaker_pipeline_name" {
  description = "Name of the feature-engineering SageMaker pipeline."
  value       = module.ml.pipeline_name
}

output "sagemaker_notebook_name" {
  description = "Name of the notebook instance; null when sagemaker_notebook_enabled is false."
  value       = module.ml.notebook_name
}

# ---------------------------------------------------------------------------
# Monitoring and cost controls
# ---------------------------------------------------------------------------
output "alarm_names" {
  description = "CloudWatch alarm names keyed by what they watch (28 with every switch on)."
  value       = module.monitoring.alarm_names
}

output "dashboard_name" {
  description = "Name of the environment's CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}

output "budget_name" {
  description = "Name of the monthly cost budget; null when budget_enabled is false."
  value       = module.cost.budget_name
}

output "anomaly_monitor_arn" {
  description = "ARN of the cost anomaly monitor; null when cost_anomaly_enabled is false."
  value       = module.cost.anomaly_monitor_arn
}
