locals {
  arn_prefix = "arn:${var.context.partition}"
  agent_name = "uja-agent-${var.context.qualifier}"
  # Bedrock agents have random ids: everything refers to them as agent/* within this account.
  agent_arn_pattern = "${local.arn_prefix}:bedrock:${var.context.region}:${var.context.account_id}:agent/*"

  use_profile       = var.inference_profile_arn != null
  foundation_model  = local.use_profile ? var.inference_profile_arn : var.model_id
  model_regions     = local.use_profile ? distinct(concat([var.context.region], var.inference_profile_regions)) : [var.context.region]
  foundation_models = [for r in local.model_regions : "${local.arn_prefix}:bedrock:${r}::foundation-model/${var.model_id}"]
  invokable_models  = concat(local.foundation_models, local.use_profile ? [var.inference_profile_arn] : [])

  # Action group -> its OpenAPI 3.0.0 schema and the Lambda function that executes it.
  action_groups = {
    struggle-detection = {
      executor    = "struggle_detector"
      description = "Analyses a user's struggle with a feature (read-only): severity, risk score, exit risk, recommendations."
    }
    video-intelligence = {
      executor    = "video_analyzer"
      description = "Analyses a user's video engagement (read-only): totals, averages, top videos, level, recommendations."
    }
    intervention-engine = {
      executor    = "intervention_executor"
      description = "Executes an intervention for a user (queues an intervention request)."
    }
  }

  instruction = <<-EOT
    You are an analyst of user journeys in a software product. Given a user id and what the user
    is doing, find where the user struggles or disengages: use struggle-detection to analyse a
    feature the user struggles with and video-intelligence to analyse the user's video engagement.
    Explain the evidence (severity, risk score, exit risk, engagement level) in plain words. When the
    risk is high or critical, choose the intervention that fits best (live_chat_offer,
    contextual_help, helpful_resources, gentle_guidance or content_recommendation) with a priority
    of low, normal, high or critical, and execute it with intervention-engine. Never execute an
    intervention without an analysis that supports it, and never invent user data.
  EOT
}

module "trust" {
  source      = "../service_role_trust"
  context     = var.context
  service     = "bedrock.amazonaws.com"
  source_arns = [local.agent_arn_pattern]
}

module "kms_grants" {
  source  = "../kms_alias_grant"
  context = var.context
  grants  = [{ sid = "MlKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], alias_name = var.ml_key_alias_name, via_services = ["bedrock"] }]
}

data "aws_iam_policy_document" "agent" {
  source_policy_documents = [module.kms_grants.json]

  statement {
    sid       = "InvokeModel"
    actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = local.invokable_models
  }

  dynamic "statement" {
    for_each = local.use_profile ? [var.inference_profile_arn] : []
    content {
      sid       = "ReadInferenceProfile"
      actions   = ["bedrock:GetInferenceProfile"]
      resources = [statement.value]
    }
  }

}

resource "aws_iam_role" "agent" {
  name               = local.agent_name
  assume_role_policy = module.trust.json
}

resource "aws_iam_role_policy" "agent" {
  name   = "agent"
  role   = aws_iam_role.agent.id
  policy = data.aws_iam_policy_document.agent.json
}

resource "aws_bedrockagent_agent" "this" {
  agent_name                  = local.agent_name
  description                 = "User journey analyst: detects struggle and disengagement and chooses interventions."
  agent_resource_role_arn     = aws_iam_role.agent.arn
  foundation_model            = local.foundation_model
  customer_encryption_key_arn = var.ml_key_arn
  idle_session_ttl_in_seconds = var.idle_session_ttl_seconds
  instruction                 = trimspace(local.instruction)

  depends_on = [aws_iam_role_policy.agent]
}

resource "aws_lambda_permission" "bedrock" {
  for_each = local.action_groups

  statement_id   = "bedrock-agent-${each.key}"
  action         = "lambda:InvokeFunction"
  function_name  = var.executor_function_arns[each.value.executor]
  principal      = "bedrock.amazonaws.com"
  source_account = var.context.account_id
  source_arn     = local.agent_arn_pattern
}

resource "aws_bedrockagent_agent_action_group" "this" {
  for_each = local.action_groups

  action_group_name          = each.key
  description                = each.value.description
  agent_id                   = aws_bedrockagent_agent.this.agent_id
  agent_version              = "DRAFT"
  skip_resource_in_use_check = true

  action_group_executor {
    lambda = var.executor_function_arns[each.value.executor]
  }

  api_schema {
    payload = file("${path.module}/schemas/${each.key}.yaml")
  }

  depends_on = [aws_lambda_permission.bedrock]
}

# Creating the alias snapshots the prepared DRAFT into a version. Replacing it whenever the
# instruction, the model or an action group changes keeps `live` serving what the code says.
resource "aws_bedrockagent_agent_alias" "live" {
  agent_alias_name = "live"
  agent_id         = aws_bedrockagent_agent.this.agent_id
  description      = "The version built from the current Terraform configuration."

  depends_on = [aws_bedrockagent_agent_action_group.this]

  lifecycle {
    replace_triggered_by = [
      aws_bedrockagent_agent.this.instruction,
      aws_bedrockagent_agent.this.foundation_model,
      aws_bedrockagent_agent_action_group.this["struggle-detection"],
      aws_bedrockagent_agent_action_group.this["video-intelligence"],
      aws_bedrockagent_agent_action_group.this["intervention-engine"],
    ]
  }
}
