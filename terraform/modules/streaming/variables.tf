variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "shard_count" {
  description = "Provisioned shards of the user-events stream."
  type        = number
  validation {
    condition     = var.shard_count >= 1 && var.shard_count <= 64 && floor(var.shard_count) == var.shard_count
    error_message = "shard_count must be a whole number from 1 to 64."
  }
}

variable "retention_period" {
  description = "Retention of the user-events stream (hours)."
  type        = number
  validation {
    condition     = var.retention_period >= 24 && var.retention_period <= 8760
    error_message = "retention_period must be from 24 to 8760 hours."
  }
}

variable "events_key_arn" {
  description = "ARN of the events KMS key (stream encryption)."
  type        = string
}

variable "key_alias_names" {
  description = "KMS alias names keyed events and storage (the Flink role's kms:ResourceAliases conditions)."
  type        = map(string)
  validation {
    condition     = alltrue([for k in ["events", "storage"] : can(regex("^alias/", var.key_alias_names[k]))])
    error_message = "key_alias_names must hold alias/... names for events and storage."
  }
}

variable "storage_key_arn" {
  description = "ARN of the storage KMS key (the Flink code object in the artifacts bucket)."
  type        = string
}

variable "logs_key_arn" {
  description = "ARN of the logs KMS key (the Flink log group)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the Flink log group (days)."
  type        = number
}

variable "data_store_tags" {
  description = "Tags merged into the stream's own tags (DataClassification = confidential)."
  type        = map(string)
  default     = {}
}

variable "flink_enabled" {
  description = "Create the Managed Service for Apache Flink sessions application."
  type        = bool
}

variable "flink_parallelism" {
  description = "Parallelism of the Flink sessions application."
  type        = number
  validation {
    condition     = var.flink_parallelism >= 1 && var.flink_parallelism <= 32
    error_message = "flink_parallelism must be from 1 to 32."
  }
}

variable "flink_code_path" {
  description = "Local path of the build step's Flink zip (<artifacts_dir>/flink/sessions.zip)."
  type        = string
}

variable "artifacts_bucket_name" {
  description = "Bucket the Flink zip is uploaded to."
  type        = string
}

variable "analytics_bucket_name" {
  description = "Bucket the Flink job writes per-session aggregates to (prefix session-analytics/)."
  type        = string
}
