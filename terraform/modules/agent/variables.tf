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

variable "model_id" {
  description = "Foundation model id the agent uses on demand (e.g. amazon.nova-pro-v1:0)."
  type        = string
  validation {
    condition     = length(var.model_id) > 0
    error_message = "model_id must not be empty."
  }
}

variable "inference_profile_arn" {
  description = "Optional inference profile the agent uses instead of the on-demand model."
  type        = string
  default     = null
}

variable "inference_profile_regions" {
  description = "Regions the inference profile routes model_id to (their foundation-model ARNs are granted); the agent's region is always included."
  type        = list(string)
  default     = []
}

variable "ml_key_arn" {
  description = "ARN of the ml KMS key (the agent's customer key)."
  type        = string
}

variable "ml_key_alias_name" {
  description = "Alias of the ml KMS key (kms:ResourceAliases condition)."
  type        = string
  validation {
    condition     = can(regex("^alias/", var.ml_key_alias_name))
    error_message = "ml_key_alias_name must be an alias/... name."
  }
}

variable "executor_function_arns" {
  description = "Action-group executor function ARNs keyed struggle_detector, video_analyzer, intervention_executor."
  type        = map(string)
  validation {
    condition     = alltrue([for k in ["struggle_detector", "video_analyzer", "intervention_executor"] : contains(keys(var.executor_function_arns), k)])
    error_message = "executor_function_arns must hold struggle_detector, video_analyzer and intervention_executor."
  }
}

variable "idle_session_ttl_seconds" {
  description = "Idle session TTL of the agent (s)."
  type        = number
  default     = 600
}
