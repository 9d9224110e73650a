# Outputs of the account bootstrap (state buckets, account key, alerts topic).
output "state_bucket_names" {
  description = "Terraform state bucket per environment (deploy.sh passes it as the backend's bucket)."
  value       = local.state_buckets
  depends_on  = [module.state]
}

output "account_key_arn" {
  description = "ARN of the account key (state, CloudTrail, audit bucket, account alerts)."
  value       = aws_kms_key.account.arn
}

output "account_key_alias" {
  description = "Alias of the account key."
  value       = aws_kms_alias.account.name
}

output "audit_bucket_name" {
  description = "Bucket holding CloudTrail logs (cloudtrail/) and the state buckets' access logs (s3-access/)."
  value       = aws_s3_bucket.this["audit"].id
}

output "trail_arn" {
  description = "ARN of the account trail."
  value       = aws_cloudtrail.account.arn
}

output "account_alerts_topic_arn" {
  description = "ARN of uja-account-alerts (security events); subscribe the on-call address to it."
  value       = aws_sns_topic.account_alerts.arn
}
