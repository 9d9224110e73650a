# The event stream and the Flink sessions job. Policies are built from names (known at plan
# time), never from computed ARNs; so in every file below.

module "streaming" {
  source = "./modules/streaming"

  context               = local.context
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
