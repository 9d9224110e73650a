# Names and URLs are known at plan time and carry no dependency on creation: policies, environment
# variables and alarms may be created alongside the queues. queue_arns is for consumers (event source
# mappings, on-failure destinations): it is ready once every queue exists (with its redrive policy, set at creation).
output "queue_names" {
  description = "Queue names keyed struggle_signals, video_analysis, interventions, stream_failures and <consumer>_dlq."
  value       = { for key, q in merge(local.queues, local.dlqs) : key => q.name }
}

output "queue_urls" {
  description = "Queue URLs keyed like queue_names, built from the names (https://sqs.<region>.<dns suffix>/<account>/<name>, or under endpoint_url)."
  value       = local.queue_urls
}

output "queue_arns" {
  description = "Queue ARNs keyed like queue_names; known at plan time, ready once every queue exists with its redrive policy."
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
