# The four Lambda functions and their triggers.

module "functions" {
  source = "./modules/functions"

  context                        = local.context
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
