locals {
  # Consumer queues (each with a DLQ) -> their component name.
  consumers = {
    struggle_signals = "struggle-signals"
    video_analysis   = "video-analysis"
    interventions    = "interventions"
  }
  four_days     = 4 * 86400
  fourteen_days = 14 * 86400

  dlqs = { for key, component in local.consumers : "${key}_dlq" => { name = "uja-${component}-dlq-${var.context.qualifier}" } }
  queues = merge(
    { for key, component in local.consumers : key => {
      name       = "uja-${component}-${var.context.qualifier}"
      retention  = local.four_days
      visibility = 6 * var.consumer_timeouts[key] # AWS guidance for Lambda event sources
      dlq        = "${key}_dlq"
    } },
    # The Kinesis trigger's on-failure destination: batch metadata the replay tool re-reads.
    { stream_failures = {
      name       = "uja-stream-failures-${var.context.qualifier}"
      retention  = local.fourteen_days
      visibility = 30
      dlq        = null
    } },
  )
  queue_arns = { for key, q in merge(local.queues, local.dlqs) : key => "arn:${var.context.partition}:sqs:${var.context.region}:${var.context.account_id}:${q.name}" }
  # The URL SQS gives a queue, built from its name: functions that send to a queue need not wait for it.
  queue_url_base = coalesce(var.endpoint_url, "https://sqs.${var.context.region}.${var.context.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}")
  queue_urls     = { for key, q in merge(local.queues, local.dlqs) : key => "${local.queue_url_base}/${var.context.account_id}/${q.name}" }

  topics = {
    alerts = {
      name = "uja-alerts-${var.context.qualifier}"
      # Alarms, EventBridge rules, budgets and cost anomaly subscriptions publish here.
      publishers = ["cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"]
    }
    user_interventions = {
      name       = "uja-user-interventions-${var.context.qualifier}"
      publishers = []
    }
  }
  topic_arns = { for key, t in local.topics : key => "arn:${var.context.partition}:sns:${var.context.region}:${var.context.account_id}:${t.name}" }
}

# DLQs keep failed messages 14 days, longer than their source queue, so nothing ages out on the way.
resource "aws_sqs_queue" "dlq" {
  for_each = local.dlqs

  name                      = each.value.name
  message_retention_seconds = local.fourteen_days
  kms_master_key_id         = var.events_key_arn
  tags                      = var.queue_tags
}

# A consumer queue is created with its redrive policy, after its DLQ (AWS refuses a redrive to a
# queue that does not exist). Inline, not an aws_sqs_queue_redrive_policy: that resource's create and
# delete each wait ~25 s for the attributes to settle, on top of the queue's own wait (docs/decisions.md).
resource "aws_sqs_queue" "this" {
  for_each = local.queues

  name                       = each.value.name
  message_retention_seconds  = each.value.retention
  visibility_timeout_seconds = each.value.visibility
  kms_master_key_id          = var.events_key_arn
  # The DLQ's ARN from its name, so the policy is known at plan time (and checked there: UJA_REL_004).
  redrive_policy = each.value.dlq == null ? null : jsonencode({
    deadLetterTargetArn = local.queue_arns[each.value.dlq]
    maxReceiveCount     = 3
  })
  tags = var.queue_tags

  depends_on = [aws_sqs_queue.dlq]
}

resource "aws_sns_topic" "this" {
  for_each = local.topics

  name              = each.value.name
  kms_master_key_id = var.events_key_arn
}

resource "aws_sns_topic_policy" "this" {
  for_each = local.topics

  arn = aws_sns_topic.this[each.key].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "AccountPrincipals"
        Effect    = "Allow"
        Principal = { AWS = "arn:${var.context.partition}:iam::${var.context.account_id}:root" }
        Action    = ["sns:Publish", "sns:Subscribe", "sns:Receive", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"]
        Resource  = local.topic_arns[each.key]
        Condition = { StringEquals = { "aws:PrincipalAccount" = var.context.account_id } }
      }],
      [for service in each.value.publishers : {
        Sid       = "Publish${title(split(".", service)[0])}"
        Effect    = "Allow"
        Principal = { Service = service }
        Action    = "sns:Publish"
        Resource  = local.topic_arns[each.key]
        Condition = { StringEquals = { "aws:SourceAccount" = var.context.account_id } }
      }],
    )
  })
}
