variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "storage_key_arn" {
  description = "ARN of the storage KMS key (database encryption and rejected-record reports)."
  type        = string
  validation {
    condition     = can(regex("^arn:", var.storage_key_arn))
    error_message = "storage_key_arn must be a KMS key ARN."
  }
}

variable "rejected_records_bucket" {
  description = "Bucket (analytics-data) receiving magnetic-store rejected records under timestream-rejected/<table>/."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.rejected_records_bucket))
    error_message = "rejected_records_bucket must be an S3 bucket name."
  }
}

variable "retention_memory_hours" {
  description = "Memory-store retention of every table (hours)."
  type        = number
  validation {
    condition     = var.retention_memory_hours >= 1 && var.retention_memory_hours <= 8766
    error_message = "retention_memory_hours must be from 1 to 8766."
  }
}

variable "retention_magnetic_days" {
  description = "Magnetic-store retention of every table (days)."
  type        = number
  validation {
    condition     = var.retention_magnetic_days >= 1 && var.retention_magnetic_days <= 73000
    error_message = "retention_magnetic_days must be from 1 to 73000."
  }
}

variable "tags" {
  description = "Tags of the database and tables (e.g. DataClassification = confidential)."
  type        = map(string)
  default     = {}
}
