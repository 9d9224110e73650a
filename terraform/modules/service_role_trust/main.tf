# Confused deputy: a service assumes the role only on behalf of this account (aws:SourceAccount)
# and, where the service sends it, of the named resources (aws:SourceArn).
data "aws_iam_policy_document" "this" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [var.service]
    }
    dynamic "condition" {
      for_each = var.source_account ? [var.context.account_id] : []
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
    dynamic "condition" {
      for_each = length(var.source_arns) > 0 ? [var.source_arns] : []
      content {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = condition.value
      }
    }
  }
}
