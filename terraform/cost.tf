# Cost controls (system spec, section 3, "Cost").

module "cost" {
  source = "./modules/cost"

  context              = local.context
  environment_tag      = local.default_tags["Environment"]
  alarm_topic_arn      = module.messaging.topic_arns["alerts"]
  budget_enabled       = var.budget_enabled
  monthly_budget_usd   = var.monthly_budget_usd
  cost_anomaly_enabled = var.cost_anomaly_enabled
}
