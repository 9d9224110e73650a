# The VPC the functions and SageMaker run in, its endpoints and flow logs.

module "network" {
  source = "./modules/network"

  context            = local.context
  availability_zones = local.availability_zones
  nat_gateway_count  = var.nat_gateway_count
  logs_key_arn       = module.keys.key_arns["logs"]
  log_retention_days = var.log_retention_days
}
