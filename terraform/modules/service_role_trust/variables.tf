variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "service" {
  description = "The service principal that assumes the role (e.g. bedrock.amazonaws.com)."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", var.service))
    error_message = "service must be a service principal such as lambda.amazonaws.com."
  }
}

variable "source_account" {
  description = "Require aws:SourceAccount = the context's account (false only for a service that does not send it, e.g. Lambda)."
  type        = bool
  default     = true
}

variable "source_arns" {
  description = "ARN patterns the request must come from (aws:SourceArn, ArnLike); empty: no SourceArn condition."
  type        = list(string)
  default     = []
}
