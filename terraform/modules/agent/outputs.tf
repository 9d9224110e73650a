output "agent_id" {
  description = "Id of the Bedrock agent."
  value       = aws_bedrockagent_agent.this.agent_id
}

output "agent_arn" {
  description = "ARN of the Bedrock agent."
  value       = aws_bedrockagent_agent.this.agent_arn
}

output "alias_id" {
  description = "Id of the agent's live alias."
  value       = aws_bedrockagent_agent_alias.live.agent_alias_id
}

output "role_arn" {
  description = "ARN of the agent's role."
  value       = aws_iam_role.agent.arn
}
