# Part 2: the stream and Flink, the four functions and their triggers, the Bedrock agent and
# SageMaker. Policies are built from names (known at plan time), never from computed ARNs.

module "streaming" {
  source = "./modules/streaming"

  qualifier             = local.qualifier
  account_id            = local.account_id
  partition             = local.partition
  region                = local.region
  shard_count           = var.kinesis_shard_count
  retention_period      = var.kinesis_retention_period
  events_key_arn        = module.keys.key_arns["events"]
  storage_key_arn       = module.keys.key_arns["storage"]
  logs_key_arn          = module.keys.key_arns["logs"]
  key_alias_names       = module.keys.alias_names
  log_retention_days    = var.log_retention_days
  data_store_tags       = local.confidential_tags
  flink_enabled         = var.flink_enabled
  flink_parallelism     = var.flink_parallelism
  flink_code_path       = "${var.artifacts_dir}/flink/sessions.zip"
  artifacts_bucket_name = module.storage.bucket_names["artifacts"]
  analytics_bucket_name = module.storage.bucket_names["analytics_data"]
}

module "functions" {
  source = "./modules/functions"

  qualifier                      = local.qualifier
  account_id                     = local.account_id
  partition                      = local.partition
  region                         = local.region
  artifacts_dir                  = var.artifacts_dir
  artifacts_bucket_name          = module.storage.bucket_names["artifacts"]
  storage_key_arn                = module.keys.key_arns["storage"]
  logs_key_arn                   = module.keys.key_arns["logs"]
  key_alias_names                = module.keys.alias_names
  memory_size                    = var.lambda_memory_size
  timeouts                       = local.function_timeouts
  reserved_concurrency           = var.lambda_reserved_concurrency
  log_retention_days             = var.log_retention_days
  subnet_ids                     = module.network.private_subnet_ids
  security_group_ids             = [module.network.workload_security_group_id]
  table_names                    = module.tables.table_names
  queue_names                    = module.messaging.queue_names
  queue_urls                     = module.messaging.queue_urls
  queue_arns                     = module.messaging.queue_arns
  stream_failures_queue_arn      = module.messaging.queue_arns["stream_failures"]
  stream_arn                     = module.streaming.stream_arn
  event_logs_bucket_name         = module.storage.bucket_names["event_logs"]
  timestream_database_name       = var.timestream_enabled ? module.timeseries[0].database_name : ""
  timestream_table_names         = var.timestream_enabled ? module.timeseries[0].table_names : {}
  endpoint_names                 = module.ml.endpoint_names
  user_interventions_topic_name  = module.messaging.topic_names["user_interventions"]
  kinesis_parallelization_factor = var.kinesis_parallelization_factor
  sqs_max_concurrency            = var.sqs_max_concurrency
}

module "agent" {
  source = "./modules/agent"
  count  = var.bedrock_enabled ? 1 : 0

  qualifier                 = local.qualifier
  account_id                = local.account_id
  partition                 = local.partition
  region                    = local.region
  model_id                  = var.bedrock_model_id
  inference_profile_arn     = var.bedrock_inference_profile_arn
  inference_profile_regions = var.bedrock_inference_profile_regions
  ml_key_arn                = module.keys.key_arns["ml"]
  ml_key_alias_name         = module.keys.alias_names["ml"]
  executor_function_arns = {
    for k, arn in module.functions.function_arns : k => arn if k != "event_processor"
  }
}

module "ml" {
  source = "./modules/ml"

  qualifier             = local.qualifier
  account_id            = local.account_id
  partition             = local.partition
  region                = local.region
  artifacts_dir         = var.artifacts_dir
  artifacts_bucket_name = module.storage.bucket_names["artifacts"]
  analytics_bucket_name = module.storage.bucket_names["analytics_data"]
  key_arns              = module.keys.key_arns
  key_alias_names       = module.keys.alias_names
  log_retention_days    = var.log_retention_days
  subnet_ids            = module.network.private_subnet_ids
  security_group_ids    = [module.network.workload_security_group_id]
  instance_type         = var.sagemaker_instance_type
  instance_count        = var.sagemaker_instance_count
  autoscaling_max       = var.sagemaker_autoscaling_max
  video_instance_type   = var.video_instance_type
  notebook_enabled      = var.sagemaker_notebook_enabled
}
