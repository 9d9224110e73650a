# Part 1: network, keys and the data layer. Every module gets the qualifier, account, partition
# and region from the root locals and never the environment's name.

module "keys" {
  source = "./modules/keys"

  qualifier            = local.qualifier
  account_id           = local.account_id
  partition            = local.partition
  region               = local.region
  deletion_window_days = var.kms_deletion_window_days
}

module "network" {
  source = "./modules/network"

  qualifier          = local.qualifier
  account_id         = local.account_id
  partition          = local.partition
  region             = local.region
  availability_zones = local.availability_zones
  nat_gateway_count  = var.nat_gateway_count
  logs_key_arn       = module.keys.key_arns["logs"]
  log_retention_days = var.log_retention_days
}

module "storage" {
  source = "./modules/storage"

  qualifier               = local.qualifier
  account_id              = local.account_id
  partition               = local.partition
  storage_key_arn         = module.keys.key_arns["storage"]
  force_destroy           = var.force_destroy
  transition_ia_days      = var.s3_transition_ia_days
  transition_glacier_days = var.s3_transition_glacier_days
  expiration_days         = var.s3_expiration_days
  data_tags               = local.confidential_tags
}

module "tables" {
  source = "./modules/tables"

  qualifier              = local.qualifier
  account_id             = local.account_id
  partition              = local.partition
  region                 = local.region
  storage_key_arn        = module.keys.key_arns["storage"]
  point_in_time_recovery = var.dynamodb_point_in_time_recovery
  deletion_protection    = var.deletion_protection
  tags                   = local.confidential_tags
}

module "timeseries" {
  source = "./modules/timeseries"
  count  = var.timestream_enabled ? 1 : 0

  qualifier               = local.qualifier
  account_id              = local.account_id
  partition               = local.partition
  region                  = local.region
  storage_key_arn         = module.keys.key_arns["storage"]
  rejected_records_bucket = module.storage.bucket_names["analytics_data"]
  retention_memory_hours  = var.timestream_retention_memory_hours
  retention_magnetic_days = var.timestream_retention_magnetic_days
  tags                    = local.confidential_tags
}

module "messaging" {
  source = "./modules/messaging"

  qualifier      = local.qualifier
  account_id     = local.account_id
  partition      = local.partition
  region         = local.region
  events_key_arn = module.keys.key_arns["events"]
  consumer_timeouts = {
    struggle_signals = local.function_timeouts.struggle_detector
    video_analysis   = local.function_timeouts.video_analyzer
    interventions    = local.function_timeouts.intervention_executor
  }
  queue_tags   = local.confidential_tags
  endpoint_url = var.aws_endpoint_url
}
