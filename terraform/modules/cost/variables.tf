variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "environment_tag" {
  description = "Value of the Environment cost-allocation tag this environment's resources carry (the filter of the budget and the anomaly monitor)."
  type        = string
  validation {
    condition     = length(var.environment_tag) > 0
    error_message = "environment_tag must not be empty."
  }
}

variable "alarm_topic_arn" {
  description = "ARN of the alerts SNS topic the budget and the anomaly subscription notify."
  type        = string
}

variable "budget_enabled" {
  description = "Create the monthly cost budget."
  type        = bool
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget (USD)."
  type        = number
  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be greater than 0."
  }
}

variable "cost_anomaly_enabled" {
  description = "Create the cost anomaly monitor and its subscription."
  type        = bool
}

variable "anomaly_threshold_usd" {
  description = "Total impact (USD) from which an anomaly is notified."
  type        = number
  default     = 100
  validation {
    condition     = var.anomaly_threshold_usd > 0
    error_message = "anomaly_threshold_usd must be greater than 0."
  }
}
