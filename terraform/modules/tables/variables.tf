variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "storage_key_arn" {
  description = "ARN of the storage KMS key (server-side encryption of every table)."
  type        = string
  validation {
    condition     = can(regex("^arn:", var.storage_key_arn))
    error_message = "storage_key_arn must be a KMS key ARN."
  }
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery on every table."
  type        = bool
}

variable "deletion_protection" {
  description = "Deletion protection on every table."
  type        = bool
}

variable "tags" {
  description = "Tags of every table (e.g. DataClassification = confidential)."
  type        = map(string)
  default     = {}
}
