variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "artifacts_dir" {
  description = "Directory of the build step's outputs (models/<model>.tar.gz, pipeline/feature_engineering.py)."
  type        = string
}

variable "artifacts_bucket_name" {
  description = "Bucket the model artifacts and the pipeline script are uploaded to."
  type        = string
}

variable "analytics_bucket_name" {
  description = "Bucket holding session-analytics/ and user-events-export/ (pipeline inputs) and feature-engineering/ (its output)."
  type        = string
}

variable "key_arns" {
  description = "KMS key ARNs keyed ml (SageMaker volumes), storage (uploaded objects, pipeline output) and logs (log groups)."
  type        = map(string)
}

variable "key_alias_names" {
  description = "KMS alias names keyed ml and storage (kms:ResourceAliases conditions)."
  type        = map(string)
  validation {
    condition     = alltrue([for k in ["ml", "storage"] : can(regex("^alias/", var.key_alias_names[k]))])
    error_message = "key_alias_names must hold alias/... names for ml and storage."
  }
}

variable "log_retention_days" {
  description = "Retention of the SageMaker log groups (days)."
  type        = number
}

variable "subnet_ids" {
  description = "Private subnets of the models, the pipeline's processing job and the notebook (first one)."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the models, processing job and notebook (the workload group)."
  type        = list(string)
}

variable "instance_type" {
  description = "Instance type of the exit-risk endpoint."
  type        = string
}

variable "instance_count" {
  description = "Initial instance count of the exit-risk endpoint (and the autoscaling minimum)."
  type        = number
}

variable "autoscaling_max" {
  description = "Autoscaling maximum of the exit-risk endpoint; 0 disables autoscaling."
  type        = number
  validation {
    condition     = var.autoscaling_max == 0 || var.autoscaling_max >= var.instance_count
    error_message = "autoscaling_max must be 0 or at least instance_count."
  }
}

variable "video_instance_type" {
  description = "Instance type of the video-engagement endpoint (one instance)."
  type        = string
}

variable "notebook_enabled" {
  description = "Create the data-science notebook instance and its log group."
  type        = bool
}

variable "processing_instance_type" {
  description = "Instance type of the feature-engineering processing step."
  type        = string
  default     = "ml.m5.large"
}
