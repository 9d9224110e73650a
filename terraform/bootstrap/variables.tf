variable "aws_region" {
  description = "Region of the account-level resources (the trail itself covers every region)."
  type        = string
  default     = "us-east-1"
  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like us-east-1."
  }
}

variable "aws_partition" {
  description = "AWS partition used in every ARN (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.aws_partition)
    error_message = "aws_partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "account_id" {
  description = "The AWS account being bootstrapped (required: every name and policy here is built from it, so plans need no AWS API call)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit account id."
  }
}

variable "environments" {
  description = "Environments deployed in this account (names of ../environments/): one state bucket uja-tfstate-<account_id>-<env> each."
  type        = list(string)
  # Every environment of ../environments/ (tests/unit/foundation/test_environments.py holds them equal;
  # this root plans on its own, so it cannot read that folder: docs/decisions.md, "One list of environments").
  default = ["dev", "prod", "staging"]
  validation {
    condition     = length(var.environments) > 0 && length(distinct(var.environments)) == length(var.environments) && alltrue([for e in var.environments : can(regex("^[a-z][a-z0-9]{1,6}$", e))])
    error_message = "environments must be a non-empty list of distinct environment names (^[a-z][a-z0-9]{1,6}$, as in ../environments/)."
  }
}

variable "cost_allocation_tag_enabled" {
  description = "Activate the Environment cost-allocation tag. Leave false until billing has seen the tag (up to 24 h after the environments exist); in an Organization only the management account can activate it."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a scheduled deletion of the account key (days)."
  type        = number
  default     = 30
  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be from 7 to 30."
  }
}

variable "audit_retention_days" {
  description = "Days CloudTrail logs and server access logs are kept in the audit bucket (moved to GLACIER after 90)."
  type        = number
  default     = 2557
  validation {
    condition     = var.audit_retention_days > 90
    error_message = "audit_retention_days must be greater than 90 (the GLACIER transition)."
  }
}

variable "state_noncurrent_days" {
  description = "Days noncurrent state versions are kept (the history to roll a bad state back)."
  type        = number
  default     = 90
  validation {
    condition     = var.state_noncurrent_days >= 1
    error_message = "state_noncurrent_days must be at least 1."
  }
}

variable "owner" {
  description = "Owner tag: the team answerable for this account's bootstrap."
  type        = string
  default     = "platform-team"
  validation {
    condition     = length(var.owner) > 0
    error_message = "owner must not be empty."
  }
}

variable "cost_center" {
  description = "CostCenter tag."
  type        = string
  default     = "analytics"
  validation {
    condition     = length(var.cost_center) > 0
    error_message = "cost_center must not be empty."
  }
}

variable "trail_log_retention_days" {
  description = "Retention of the trail's CloudWatch Logs copy (days); the audit bucket keeps the durable copy."
  type        = number
  default     = 365
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.trail_log_retention_days)
    error_message = "trail_log_retention_days must be a value CloudWatch Logs allows (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}
