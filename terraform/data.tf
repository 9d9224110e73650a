# The data layer: buckets, tables and (behind its switch) Timestream.

module "storage" {
  source = "./modules/storage"

  context                 = local.context
  storage_key_arn         = module.keys.key_arns["storage"]
  force_destroy           = var.force_destroy
  transition_ia_days      = var.s3_transition_ia_days
  transition_glacier_days = var.s3_transition_glacier_days
  expiration_days         = var.s3_expiration_days
  data_tags               = local.confidential_tags
}

module "tables" {
  source = "./modules/tables"

  context                = local.context
  storage_key_arn        = module.keys.key_arns["storage"]
  point_in_time_recovery = var.dynamodb_point_in_time_recovery
  deletion_protection    = var.deletion_protection
  tags                   = local.confidential_tags
}

module "timeseries" {
  source = "./modules/timeseries"
  count  = var.timestream_enabled ? 1 : 0

  context                 = local.context
  storage_key_arn         = module.keys.key_arns["storage"]
  rejected_records_bucket = module.storage.bucket_names["analytics_data"]
  retention_memory_hours  = var.timestream_retention_memory_hours
  retention_magnetic_days = var.timestream_retention_magnetic_days
  tags                    = local.confidential_tags
}
