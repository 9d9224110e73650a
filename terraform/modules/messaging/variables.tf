variable "context" {
  description = "Where and under which name: qualifier (<env> or <env>-<suffix>, in every name), account_id, partition and region (in every ARN). The root validates them once."
  type        = object({ qualifier = string, account_id = string, partition = string, region = string })
}

variable "events_key_arn" {
  description = "ARN of the events KMS key (SSE of every queue and topic)."
  type        = string
  validation {
    condition     = can(regex("^arn:", var.events_key_arn))
    error_message = "events_key_arn must be a KMS key ARN."
  }
}

variable "consumer_timeouts" {
  description = "Timeout (s) of the Lambda function consuming each queue, keyed struggle_signals, video_analysis, interventions; visibility timeout = 6x."
  type        = map(number)
  validation {
    condition     = toset(keys(var.consumer_timeouts)) == toset(["struggle_signals", "video_analysis", "interventions"])
    error_message = "consumer_timeouts must have exactly the keys struggle_signals, video_analysis, interventions."
  }
  validation {
    # Lambda allows up to 900 s; SQS allows visibility timeouts up to 43200 s.
    condition     = alltrue([for t in values(var.consumer_timeouts) : t >= 1 && t <= 900])
    error_message = "consumer_timeouts values must be Lambda timeouts from 1 to 900 seconds."
  }
}

variable "queue_tags" {
  description = "Tags of every queue (e.g. DataClassification = confidential)."
  type        = map(string)
  default     = {}
}

variable "endpoint_url" {
  description = "SQS endpoint the queue URLs are built under; null for AWS (https://sqs.<region>.<dns suffix>), a moto server's URL in the harness."
  type        = string
  default     = null
  validation {
    condition     = var.endpoint_url == null || can(regex("^https?://[^/]+$", var.endpoint_url))
    error_message = "endpoint_url must be a scheme and host (e.g. http://127.0.0.1:5000), without a path or trailing slash."
  }
}
