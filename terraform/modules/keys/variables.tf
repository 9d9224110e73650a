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

variable "deletion_window_days" {
  description = "Waiting period before a scheduled key deletion (days)."
  type        = number
  validation {
    condition     = var.deletion_window_days >= 7 && var.deletion_window_days <= 30
    error_message = "deletion_window_days must be from 7 to 30."
  }
}
