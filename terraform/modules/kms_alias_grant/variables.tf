variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "grants" {
  description = "One statement each: sid, KMS actions, the key's alias name (alias/...) and the services (e.g. kinesis, s3) that may use the key for the role."
  type = list(object({
    sid          = string
    actions      = list(string)
    alias_name   = string
    via_services = list(string)
  }))
  validation {
    condition     = alltrue([for g in var.grants : can(regex("^alias/", g.alias_name))])
    error_message = "Each grant's alias_name must be an alias/... name."
  }
  validation {
    condition     = alltrue([for g in var.grants : length(g.via_services) > 0 && alltrue([for a in g.actions : startswith(a, "kms:")])])
    error_message = "Each grant names at least one via service and only kms: actions."
  }
}
