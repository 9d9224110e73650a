variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "artifacts_dir" {
  description = "Directory of the build step's outputs; the zips are read from <artifacts_dir>/lambda/<function>.zip."
  type        = string
}

variable "artifacts_bucket_name" {
  description = "Bucket the function zips are uploaded to."
  type        = string
}

variable "storage_key_arn" {
  description = "ARN of the storage KMS key (environment variables, code objects)."
  type        = string
}

variable "logs_key_arn" {
  description = "ARN of the logs KMS key (the functions' log groups)."
  type        = string
}

variable "key_alias_names" {
  description = "KMS alias names keyed events and storage (kms:ResourceAliases conditions)."
  type        = map(string)
  validation {
    condition     = alltrue([for k in ["events", "storage"] : can(regex("^alias/", var.key_alias_names[k]))])
    error_message = "key_alias_names must hold alias/... names for events and storage."
  }
}

variable "memory_size" {
  description = "Memory (MB) of all four functions."
  type        = number
}

variable "timeouts" {
  description = "Timeout (s) per function, keyed event_processor, struggle_detector, video_analyzer, intervention_executor."
  type        = map(number)
  validation {
    condition     = alltrue([for k in ["event_processor", "struggle_detector", "video_analyzer", "intervention_executor"] : contains(keys(var.timeouts), k)])
    error_message = "timeouts must have a value for event_processor, struggle_detector, video_analyzer and intervention_executor."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of each function; null leaves them unreserved."
  type        = number
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the functions' log groups (days)."
  type        = number
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "INFO"
  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "subnet_ids" {
  description = "Private subnets the functions run in."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the functions (the workload group)."
  type        = list(string)
}

variable "table_names" {
  description = "DynamoDB table names keyed user_profiles, user_events, struggle_signals, video_engagement, idempotency."
  type        = map(string)
}

variable "queue_names" {
  description = "SQS queue names keyed struggle_signals, video_analysis, interventions, stream_failures (ARNs are built from them)."
  type        = map(string)
}

variable "queue_urls" {
  description = "SQS queue URLs keyed like queue_names (environment variables)."
  type        = map(string)
}

variable "queue_arns" {
  description = "module.messaging.queue_arns: SQS queue ARNs keyed like queue_names, ready once each queue and its redrive policy exist (the triggers wait on them)."
  type        = map(string)
}

variable "stream_failures_queue_arn" {
  description = "ARN of the stream-failures queue: the Kinesis trigger's on-failure destination."
  type        = string
}

variable "stream_arn" {
  description = "ARN of the user-events stream (the event processor's trigger)."
  type        = string
}

variable "event_logs_bucket_name" {
  description = "Bucket of quarantined records (prefix quarantine/)."
  type        = string
}

variable "timestream_database_name" {
  description = "Timestream database; empty when Timestream is off (no Timestream grants then)."
  type        = string
  default     = ""
}

variable "timestream_table_names" {
  description = "Timestream table names keyed user_metrics, session_analytics, struggle_signals, video_engagement; empty when off."
  type        = map(string)
  default     = {}
}

variable "endpoint_names" {
  description = "SageMaker endpoint names keyed exit_risk, video_engagement."
  type        = map(string)
}

variable "user_interventions_topic_name" {
  description = "Name of the user-interventions SNS topic (its ARN is built from it)."
  type        = string
}

variable "kinesis_parallelization_factor" {
  description = "Concurrent batches per shard of the event-processor trigger."
  type        = number
}

variable "sqs_max_concurrency" {
  description = "maximum_concurrency of the three SQS triggers."
  type        = number
}
