# Monitoring (system spec, section 3, "Monitoring").

module "monitoring" {
  source = "./modules/monitoring"

  context                      = local.context
  alarm_topic_arn              = module.messaging.topic_arns["alerts"]
  function_names               = module.functions.function_names
  queue_names                  = module.messaging.queue_names
  table_names                  = module.tables.table_names
  endpoint_names               = module.ml.endpoint_names
  endpoint_variant_name        = module.ml.endpoint_variant_name
  stream_name                  = module.streaming.stream_name
  flink_enabled                = var.flink_enabled
  flink_application_name       = module.streaming.flink_application_name
  timestream_enabled           = var.timestream_enabled
  lambda_error_alarm_threshold = var.lambda_error_alarm_threshold
}
