variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "availability_zones" {
  description = "Two availability zones: one private and one public subnet in each."
  type        = list(string)
  validation {
    condition     = length(var.availability_zones) == 2 && length(distinct(var.availability_zones)) == 2
    error_message = "availability_zones must hold exactly two distinct zone names."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC (private subnets take /20s at its start, public subnets /24s at its end)."
  type        = string
  default     = "10.0.0.0/16"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 16
    error_message = "vpc_cidr must be a valid IPv4 CIDR block of /16 or larger."
  }
}

variable "nat_gateway_count" {
  description = "NAT gateways: 1 (shared by both private subnets) or 2 (one per zone)."
  type        = number
  validation {
    condition     = contains([1, 2], var.nat_gateway_count)
    error_message = "nat_gateway_count must be 1 or 2."
  }
}

variable "interface_endpoint_services" {
  description = "Services reached through interface endpoints (private DNS on) from the private subnets."
  type        = set(string)
  default     = ["kinesis-streams", "sqs", "sns", "logs", "kms", "sts", "sagemaker.runtime"]
  validation {
    condition     = alltrue([for s in var.interface_endpoint_services : can(regex("^[a-z0-9.-]+$", s))])
    error_message = "interface_endpoint_services must be service names such as sqs or sagemaker.runtime."
  }
}

variable "logs_key_arn" {
  description = "ARN of the logs KMS key that encrypts the flow-log log group."
  type        = string
  validation {
    condition     = can(regex("^arn:", var.logs_key_arn))
    error_message = "logs_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the flow-log log group (days)."
  type        = number
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs allows."
  }
}
