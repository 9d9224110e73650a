variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
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
