output "queue_names" {
  description = "Queue names keyed struggle_signals, video_analysis, interventions, stream_failures and <consumer>_dlq."
  value       = { for key, q in merge(local.queues, local.dlqs) : key => q.name }
  depends_on  = [aws_sqs_queue.this, aws_sqs_queue.dlq]
}

output "queue_urls" {
  description = "Queue URLs keyed like queue_names."
  value       = { for key, q in merge(aws_sqs_queue.this, aws_sqs_queue.dlq) : key => q.url }
}

output "queue_arns" {
  description = "Queue ARNs keyed like queue_names; built from the names, so known at plan time."
  value       = local.queue_arns
  depends_on  = [aws_sqs_queue.this, aws_sqs_queue.dlq]
}

output "topic_names" {
  description = "Topic names keyed alerts, user_interventions."
  value       = { for key, t in local.topics : key => t.name }
  depends_on  = [aws_sns_topic.this]
}

output "topic_arns" {
  description = "Topic ARNs keyed alerts, user_interventions; built from the names, so known at plan time."
  value       = local.topic_arns
  depends_on  = [aws_sns_topic_policy.this]
}
