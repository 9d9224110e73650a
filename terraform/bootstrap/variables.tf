variable "aws_region" {
  description = "Region of the account-level resources."
  type        = string
  default     = "us-east-1"
}
