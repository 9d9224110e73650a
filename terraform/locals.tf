locals {
  # "<env>" or "<env>-<suffix>": every physical name is uja-<component>-<qualifier>.
  qualifier = join("-", compact([var.environment, var.name_suffix]))

  account_id         = var.account_id != null ? var.account_id : data.aws_caller_identity.current[0].account_id
  availability_zones = var.availability_zones != null ? var.availability_zones : slice(data.aws_availability_zones.available[0].names, 0, 2)
  partition          = var.aws_partition
  region             = var.aws_region
  # What every module names and builds ARNs from; its parts are validated here, by the root's variables.
  context = { qualifier = local.qualifier, account_id = local.account_id, partition = local.partition, region = local.region }

  default_tags = merge(var.extra_tags, {
    Project            = "user-journey-analytics"
    Environment        = var.environment
    ManagedBy          = "terraform"
    Owner              = var.owner
    CostCenter         = var.cost_center
    DataClassification = "internal"
  })
  # Lambda timeouts (s): the functions module sets them, messaging derives visibility timeouts (6x).
  function_timeouts = {
    event_processor       = 60
    struggle_detector     = 30
    video_analyzer        = 30
    intervention_executor = 30
  }

  # Data stores override the default classification on the resource itself.
  confidential_tags = { DataClassification = "confidential" }
}

# Only real deployments look these up; tests and integration runs pass both values.
data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}

data "aws_availability_zones" "available" {
  count = var.availability_zones == null ? 1 : 0
  state = "available"
}
