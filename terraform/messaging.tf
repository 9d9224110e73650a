# Queues and topics between the functions, and the alerts topic.

module "messaging" {
  source = "./modules/messaging"

  context        = local.context
  events_key_arn = module.keys.key_arns["events"]
  consumer_timeouts = {
    struggle_signals = local.function_timeouts.struggle_detector
    video_analysis   = local.function_timeouts.video_analyzer
    interventions    = local.function_timeouts.intervention_executor
  }
  queue_tags   = local.confidential_tags
  endpoint_url = var.aws_endpoint_url
}
