output "json" {
  description = "The grants as an IAM policy document, for a caller's `source_policy_documents`."
  value       = data.aws_iam_policy_document.this.json
}
