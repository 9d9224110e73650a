variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "alarm_topic_arn" {
  description = "ARN of the alerts SNS topic every alarm notifies (module.messaging.topic_arns[\"alerts\"])."
  type        = string
}

variable "function_names" {
  description = "module.functions.function_names: event_processor, struggle_detector, video_analyzer, intervention_executor."
  type        = map(string)
  validation {
    condition     = length(setsubtract(["event_processor", "struggle_detector", "video_analyzer", "intervention_executor"], keys(var.function_names))) == 0
    error_message = "function_names lacks the keys: ${join(", ", setsubtract(["event_processor", "struggle_detector", "video_analyzer", "intervention_executor"], keys(var.function_names)))}."
  }
}

variable "queue_names" {
  description = "module.messaging.queue_names: the three consumer queues, their DLQs and stream_failures."
  type        = map(string)
  validation {
    condition     = length(setsubtract(["struggle_signals", "video_analysis", "interventions", "stream_failures", "struggle_signals_dlq", "video_analysis_dlq", "interventions_dlq"], keys(var.queue_names))) == 0
    error_message = "queue_names lacks the keys: ${join(", ", setsubtract(["struggle_signals", "video_analysis", "interventions", "stream_failures", "struggle_signals_dlq", "video_analysis_dlq", "interventions_dlq"], keys(var.queue_names)))}."
  }
}

variable "table_names" {
  description = "module.tables.table_names: user_profiles, user_events, struggle_signals, video_engagement, idempotency."
  type        = map(string)
  validation {
    condition     = length(setsubtract(["user_profiles", "user_events", "struggle_signals", "video_engagement", "idempotency"], keys(var.table_names))) == 0
    error_message = "table_names lacks the keys: ${join(", ", setsubtract(["user_profiles", "user_events", "struggle_signals", "video_engagement", "idempotency"], keys(var.table_names)))}."
  }
}

variable "endpoint_names" {
  description = "module.ml.endpoint_names: exit_risk, video_engagement."
  type        = map(string)
  validation {
    condition     = length(setsubtract(["exit_risk", "video_engagement"], keys(var.endpoint_names))) == 0
    error_message = "endpoint_names lacks the keys: ${join(", ", setsubtract(["exit_risk", "video_engagement"], keys(var.endpoint_names)))}."
  }
}

variable "endpoint_variant_name" {
  description = "module.ml.endpoint_variant_name: production variant of both endpoints (SageMaker metrics carry it as a dimension)."
  type        = string
}

variable "stream_name" {
  description = "module.streaming.stream_name: the user-events Kinesis stream."
  type        = string
}

variable "flink_enabled" {
  description = "Alarm on (and chart) the Flink sessions application; mirrors the root switch so keys are known at plan time."
  type        = bool
}

variable "flink_application_name" {
  description = "module.streaming.flink_application_name (null when Flink is off)."
  type        = string
  default     = null
  validation {
    condition     = var.flink_enabled == (var.flink_application_name != null)
    error_message = "flink_application_name must be set exactly when flink_enabled is true."
  }
}

variable "timestream_enabled" {
  description = "Alarm on (and chart) the handlers' Timestream RecordsRejected; off charts TimestreamDisabled instead."
  type        = bool
}

variable "lambda_error_alarm_threshold" {
  description = "Errors per function per 5 minutes above which the error alarm fires."
  type        = number
  validation {
    condition     = var.lambda_error_alarm_threshold >= 0
    error_message = "lambda_error_alarm_threshold must be 0 or more."
  }
}
