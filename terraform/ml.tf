# The Bedrock agent (behind its switch) and SageMaker.

module "agent" {
  source = "./modules/agent"
  count  = var.bedrock_enabled ? 1 : 0

  context                   = local.context
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

  context               = local.context
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
