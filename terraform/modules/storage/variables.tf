variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "storage_key_arn" {
  description = "ARN of the storage KMS key (SSE-KMS of every bucket but access-logs)."
  type        = string
  validation {
    condition     = can(regex("^arn:", var.storage_key_arn))
    error_message = "storage_key_arn must be a KMS key ARN."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets (integration runs only)."
  type        = bool
}

variable "transition_ia_days" {
  description = "Days before event-logs and analytics-data objects move to STANDARD_IA."
  type        = number
  validation {
    condition     = var.transition_ia_days >= 30
    error_message = "transition_ia_days must be at least 30 (S3's minimum for STANDARD_IA)."
  }
}

variable "transition_glacier_days" {
  description = "Days before event-logs and analytics-data objects move to GLACIER."
  type        = number
  validation {
    condition     = var.transition_glacier_days >= var.transition_ia_days + 30
    error_message = "transition_glacier_days must be at least transition_ia_days + 30."
  }
}

variable "expiration_days" {
  description = "Days before event-logs objects expire; analytics-data objects expire after twice this."
  type        = number
  validation {
    condition     = var.expiration_days > var.transition_glacier_days
    error_message = "expiration_days must be greater than transition_glacier_days."
  }
}

variable "noncurrent_expiration_days" {
  description = "Days before noncurrent object versions expire, in every bucket."
  type        = number
  default     = 30
  validation {
    condition     = var.noncurrent_expiration_days >= 1
    error_message = "noncurrent_expiration_days must be at least 1."
  }
}

variable "access_log_retention_days" {
  description = "Days server access logs are kept in the access-logs bucket."
  type        = number
  default     = 90
  validation {
    condition     = var.access_log_retention_days >= 1
    error_message = "access_log_retention_days must be at least 1."
  }
}

variable "data_tags" {
  description = "Tags of the buckets that hold data (all but access-logs), e.g. DataClassification."
  type        = map(string)
  default     = {}
}
