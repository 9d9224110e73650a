# Key ARNs are unknown before apply, so a role is granted `key/*` narrowed to one alias
# (kms:ResourceAliases) and to the services that may use the key on its behalf (kms:ViaService).
data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.grants
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = ["arn:${var.context.partition}:kms:${var.context.region}:${var.context.account_id}:key/*"]
      condition {
        test     = "ForAnyValue:StringEquals"
        variable = "kms:ResourceAliases"
        values   = [statement.value.alias_name]
      }
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [for s in statement.value.via_services : "${s}.${var.context.region}.amazonaws.com"]
      }
    }
  }
}
