output "key_arns" {
  description = "Key ARNs keyed events, storage, ml, logs (unknown until apply: grant by alias)."
  value       = { for domain, key in aws_kms_key.this : domain => key.arn }
}

output "key_ids" {
  description = "Key ids keyed events, storage, ml, logs."
  value       = { for domain, key in aws_kms_key.this : domain => key.key_id }
}

output "alias_names" {
  description = "Alias names (alias/uja-<domain>-<qualifier>) keyed events, storage, ml, logs; known at plan time."
  value       = local.alias_names
  # Consumers use the aliases in kms:ResourceAliases conditions: they must exist first.
  depends_on = [aws_kms_alias.this]
}
