variable "bucket" {
  description = "The bucket to configure: the caller's aws_s3_bucket id."
  type        = string
}

variable "bucket_arn" {
  description = "The bucket's ARN, built from its name by the caller so every policy is known at plan time."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:s3:::[a-z0-9.-]+$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN (arn:<partition>:s3:::<name>)."
  }
}

variable "sse_algorithm" {
  description = "Default encryption: aws:kms (with kms_key_arn and a bucket key) or AES256 (SSE-S3). Given apart from the key, whose ARN is known only after apply."
  type        = string
  default     = "aws:kms"
  validation {
    condition     = contains(["aws:kms", "AES256"], var.sse_algorithm)
    error_message = "sse_algorithm must be aws:kms or AES256."
  }
}

variable "kms_key_arn" {
  description = "KMS key of SSE-KMS; null with AES256."
  type        = string
  default     = null
  validation {
    condition     = (var.kms_key_arn == null) == (var.sse_algorithm == "AES256")
    error_message = "kms_key_arn is required with aws:kms and must be null with AES256."
  }
}

variable "policy_statements" {
  description = "Bucket policy statements after the TLS-only deny (e.g. log delivery grants); any type: statements differ in shape."
  type        = any
  default     = []
}

variable "transitions" {
  description = "Lifecycle transitions of current versions: storage class -> days after creation."
  type        = map(number)
  default     = {}
}

variable "expiration_days" {
  description = "Days before current versions expire; null: they never do."
  type        = number
  default     = null
}

variable "noncurrent_expiration_days" {
  description = "Days before noncurrent versions expire."
  type        = number
  validation {
    condition     = var.noncurrent_expiration_days >= 1
    error_message = "noncurrent_expiration_days must be at least 1."
  }
}

variable "logging" {
  description = "Server access logging: target bucket and key prefix; null: none (e.g. the log bucket itself). The caller orders this module after the target bucket's policy."
  type = object({
    target_bucket = string
    target_prefix = string
  })
  default = null
}
