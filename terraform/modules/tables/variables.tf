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
