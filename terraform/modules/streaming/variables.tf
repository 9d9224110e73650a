variable "qualifier" {
  description = "Name qualifier: <env> or <env>-<name_suffix>; every name is uja-<component>-<qualifier>."
  type        = string
  validation {
    condition     = can(regex("^[a-z]+(-[a-z0-9]{1,8})?$", var.qualifier)) && length(var.qualifier) <= 16
    error_message = "qualifier must be <env> or <env>-<suffix> (suffix 1-8 of [a-z0-9]), at most 16 characters."
  }
}

variable "account_id" {
  description = "AWS account id used in every ARN this module builds."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit account id."
  }
}

variable "partition" {
  description = "AWS partition used in every ARN (aws, aws-cn, aws-us-gov)."
  type        = string
  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "region" {
  description = "AWS region used in every ARN this module builds."
  type        = string
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
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
