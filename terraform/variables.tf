# ---------------------------------------------------------------------------
# Identity, placement and naming
# ---------------------------------------------------------------------------
variable "environment" {
  description = "Deployment environment: a name with environments/<env>.tfvars and environments/<env>-backend.hcl (docs/adding-an-environment.md)."
  type        = string
  validation {
    # The list is the folder (docs/decisions.md, "One list of environments"); at most 7 characters,
    # the length of "staging", whose names the plan tests hold against every service's limit.
    condition     = can(regex("^[a-z][a-z0-9]{1,6}$", var.environment)) && fileexists("${path.module}/environments/${var.environment}.tfvars") && fileexists("${path.module}/environments/${var.environment}-backend.hcl")
    error_message = "environment must be one of ${join(", ", [for f in fileset(path.module, "environments/*-backend.hcl") : trimsuffix(basename(f), "-backend.hcl") if fileexists("${path.module}/environments/${trimsuffix(basename(f), "-backend.hcl")}.tfvars")])} (environments/<env>.tfvars and <env>-backend.hcl), not \"${var.environment}\"."
  }
}

variable "name_suffix" {
  description = "Optional suffix (at most 8 of [a-z0-9]) appended to every name, to keep integration runs apart."
  type        = string
  default     = null
  validation {
    condition     = var.name_suffix == null || can(regex("^[a-z0-9]{1,8}$", var.name_suffix))
    error_message = "name_suffix must be null or 1-8 characters of [a-z0-9]."
  }
}

variable "aws_region" {
  description = "AWS region to deploy into."
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
  description = "AWS account id. Set it (tests, integration) and plans make no AWS API call; null looks it up."
  type        = string
  default     = null
  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be null or a 12-digit account id."
  }
}

variable "availability_zones" {
  description = "Two availability zones for the private and public subnets; null looks them up."
  type        = list(string)
  default     = null
  validation {
    condition     = var.availability_zones == null || length(var.availability_zones) == 2
    error_message = "availability_zones must be null or exactly two zone names."
  }
}

variable "owner" {
  description = "Owner tag: the team answerable for this deployment."
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

variable "extra_tags" {
  description = "Additional default tags (integration runs add ephemeral=true and their run id)."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------
# Provider wiring for tests (null everywhere for real AWS)
# ---------------------------------------------------------------------------
variable "aws_endpoint_url" {
  description = "Endpoint of a local moto server for every service; null for real AWS."
  type        = string
  default     = null
}

variable "aws_access_key" {
  description = "Access key for a local moto server; null uses the standard credential chain."
  type        = string
  default     = null
  sensitive   = true
}

variable "aws_secret_key" {
  description = "Secret key for a local moto server; null uses the standard credential chain."
  type        = string
  default     = null
  sensitive   = true
}

variable "artifacts_dir" {
  description = "Directory holding the build step's outputs (lambda/, models/, flink/, pipeline/)."
  type        = string
  default     = "../build"
}

# ---------------------------------------------------------------------------
# Per-environment values (system spec, section 2)
# ---------------------------------------------------------------------------
variable "kinesis_shard_count" {
  description = "Shards of the user-events stream."
  type        = number
  validation {
    condition     = var.kinesis_shard_count >= 1 && var.kinesis_shard_count <= 64 && floor(var.kinesis_shard_count) == var.kinesis_shard_count
    error_message = "kinesis_shard_count must be a whole number from 1 to 64."
  }
}

variable "lambda_memory_size" {
  description = "Memory (MB) of all four functions."
  type        = number
  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240
    error_message = "lambda_memory_size must be from 128 to 10240 MB."
  }
}

variable "dynamodb_point_in_time_recovery" {
  description = "Point-in-time recovery on every DynamoDB table."
  type        = bool
}

variable "timestream_retention_magnetic_days" {
  description = "Magnetic-store retention of every Timestream table (days)."
  type        = number
  validation {
    condition     = var.timestream_retention_magnetic_days >= 1 && var.timestream_retention_magnetic_days <= 73000
    error_message = "timestream_retention_magnetic_days must be from 1 to 73000."
  }
}

variable "timestream_retention_memory_hours" {
  description = "Memory-store retention of every Timestream table (hours)."
  type        = number
  validation {
    condition     = var.timestream_retention_memory_hours >= 1 && var.timestream_retention_memory_hours <= 8766
    error_message = "timestream_retention_memory_hours must be from 1 to 8766."
  }
}

variable "kinesis_retention_period" {
  description = "Retention of the user-events stream (hours)."
  type        = number
  validation {
    condition     = var.kinesis_retention_period >= 24 && var.kinesis_retention_period <= 8760
    error_message = "kinesis_retention_period must be from 24 to 8760 hours."
  }
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group (days)."
  type        = number
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs allows (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "s3_transition_ia_days" {
  description = "Days before event-logs and analytics-data objects move to STANDARD_IA."
  type        = number
  validation {
    condition     = var.s3_transition_ia_days >= 30
    error_message = "s3_transition_ia_days must be at least 30 (S3's minimum for STANDARD_IA)."
  }
}

variable "s3_transition_glacier_days" {
  description = "Days before event-logs and analytics-data objects move to GLACIER."
  type        = number
  validation {
    condition     = var.s3_transition_glacier_days >= var.s3_transition_ia_days + 30
    error_message = "s3_transition_glacier_days must be at least s3_transition_ia_days + 30."
  }
}

variable "s3_expiration_days" {
  description = "Days before event-logs objects expire (analytics-data: twice this)."
  type        = number
  validation {
    condition     = var.s3_expiration_days > var.s3_transition_glacier_days
    error_message = "s3_expiration_days must be greater than s3_transition_glacier_days."
  }
}

variable "deletion_protection" {
  description = "Deletion protection on every DynamoDB table."
  type        = bool
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty S3 buckets (integration runs only)."
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a scheduled KMS key deletion (days)."
  type        = number
  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be from 7 to 30."
  }
}

variable "kinesis_parallelization_factor" {
  description = "Concurrent batches per shard of the event-processor trigger."
  type        = number
  validation {
    condition     = var.kinesis_parallelization_factor >= 1 && var.kinesis_parallelization_factor <= 10
    error_message = "kinesis_parallelization_factor must be from 1 to 10."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of each function; null leaves them unreserved."
  type        = number
  default     = null
  validation {
    condition     = var.lambda_reserved_concurrency == null ? true : (var.lambda_reserved_concurrency >= 1 && var.lambda_reserved_concurrency <= 1000)
    error_message = "lambda_reserved_concurrency must be null or from 1 to 1000."
  }
}

variable "sqs_max_concurrency" {
  description = "maximum_concurrency of the three SQS triggers."
  type        = number
  validation {
    condition     = var.sqs_max_concurrency >= 2 && var.sqs_max_concurrency <= 1000
    error_message = "sqs_max_concurrency must be from 2 to 1000."
  }
}

variable "nat_gateway_count" {
  description = "NAT gateways (one per public subnet, at most two)."
  type        = number
  validation {
    condition     = contains([1, 2], var.nat_gateway_count)
    error_message = "nat_gateway_count must be 1 or 2."
  }
}

variable "sagemaker_instance_type" {
  description = "Instance type of the exit-risk endpoint."
  type        = string
  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.sagemaker_instance_type))
    error_message = "sagemaker_instance_type must be a SageMaker instance type such as ml.m5.large."
  }
}

variable "sagemaker_instance_count" {
  description = "Initial instance count of the exit-risk endpoint."
  type        = number
  validation {
    condition     = var.sagemaker_instance_count >= 1 && var.sagemaker_instance_count <= 100
    error_message = "sagemaker_instance_count must be from 1 to 100."
  }
}

variable "sagemaker_autoscaling_max" {
  description = "Autoscaling maximum of the exit-risk endpoint; 0 disables autoscaling."
  type        = number
  validation {
    condition     = var.sagemaker_autoscaling_max == 0 || var.sagemaker_autoscaling_max >= var.sagemaker_instance_count
    error_message = "sagemaker_autoscaling_max must be 0 or at least sagemaker_instance_count."
  }
}

variable "sagemaker_notebook_enabled" {
  description = "Create the data-science notebook instance."
  type        = bool
}

variable "video_instance_type" {
  description = "Instance type of the video-engagement endpoint (one instance)."
  type        = string
  default     = "ml.t2.medium"
  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.video_instance_type))
    error_message = "video_instance_type must be a SageMaker instance type such as ml.t2.medium."
  }
}

variable "flink_parallelism" {
  description = "Parallelism of the Flink sessions application."
  type        = number
  validation {
    condition     = var.flink_parallelism >= 1 && var.flink_parallelism <= 32
    error_message = "flink_parallelism must be from 1 to 32."
  }
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget of the environment (USD)."
  type        = number
  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be greater than 0."
  }
}

variable "lambda_error_alarm_threshold" {
  description = "Errors per function per 5 minutes above which the error alarm fires."
  type        = number
  validation {
    condition     = var.lambda_error_alarm_threshold >= 0
    error_message = "lambda_error_alarm_threshold must be 0 or more."
  }
}

# ---------------------------------------------------------------------------
# Bedrock
# ---------------------------------------------------------------------------
variable "bedrock_model_id" {
  description = "Foundation model the agent uses, served on demand in the region (default: Amazon Nova Pro, see docs/decisions.md)."
  type        = string
  default     = "amazon.nova-pro-v1:0"
  validation {
    condition     = length(var.bedrock_model_id) > 0
    error_message = "bedrock_model_id must not be empty."
  }
}

variable "bedrock_inference_profile_arn" {
  description = "Optional inference profile the agent uses instead of the on-demand model."
  type        = string
  default     = null
  validation {
    condition     = var.bedrock_inference_profile_arn == null || can(regex("^arn:[a-z-]+:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/.+$", var.bedrock_inference_profile_arn))
    error_message = "bedrock_inference_profile_arn must be null or an inference-profile ARN."
  }
}

# ---------------------------------------------------------------------------
# Feature switches (integration.tfvars turns off what moto cannot create)
# ---------------------------------------------------------------------------
variable "timestream_enabled" {
  description = "Create the Timestream database and tables (new accounts can no longer use Timestream for LiveAnalytics)."
  type        = bool
  default     = true
}

variable "bedrock_enabled" {
  description = "Create the Bedrock agent, its action groups and alias."
  type        = bool
  default     = true
}

variable "flink_enabled" {
  description = "Create the Managed Service for Apache Flink sessions application."
  type        = bool
  default     = true
}

variable "budget_enabled" {
  description = "Create the monthly cost budget."
  type        = bool
  default     = true
}

variable "cost_anomaly_enabled" {
  description = "Create the cost anomaly monitor and its subscription."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------
# Streaming, functions, the Bedrock agent and SageMaker
# ---------------------------------------------------------------------------
variable "bedrock_inference_profile_regions" {
  description = "Regions bedrock_inference_profile_arn routes bedrock_model_id to; the agent's role may invoke the model there (the deployment region is always included)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for r in var.bedrock_inference_profile_regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", r))])
    error_message = "bedrock_inference_profile_regions must hold region names such as us-east-1."
  }
}
