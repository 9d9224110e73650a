# Cost controls: system spec, section 3, "Cost". Both filter on the Environment cost-allocation tag,
# which counts only once the bootstrap has activated it (until then they see $0).

resource "aws_budgets_budget" "monthly" {
  count = var.budget_enabled ? 1 : 0

  name         = "uja-budget-${var.context.qualifier}"
  account_id   = var.context.account_id
  budget_type  = "COST"
  limit_amount = tostring(var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  # Budgets spell a tag filter "user:<key>$<value>". format() keeps the "$" literal: "$${...}"
  # would escape the interpolation and render the text "${...}" instead of the value.
  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:Environment$%s", var.environment_tag)]
  }

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 80
    threshold_type            = "PERCENTAGE"
    notification_type         = "ACTUAL"
    subscriber_sns_topic_arns = [var.alarm_topic_arn]
  }

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 100
    threshold_type            = "PERCENTAGE"
    notification_type         = "FORECASTED"
    subscriber_sns_topic_arns = [var.alarm_topic_arn]
  }
}

# CUSTOM on the tag: an account may have only one DIMENSIONAL SERVICE monitor, and three
# environments can share an account.
resource "aws_ce_anomaly_monitor" "environment" {
  count = var.cost_anomaly_enabled ? 1 : 0

  name         = "uja-cost-anomaly-${var.context.qualifier}"
  monitor_type = "CUSTOM"
  monitor_specification = jsonencode({
    And            = null
    CostCategories = null
    Dimensions     = null
    Not            = null
    Or             = null
    Tags = {
      Key          = "Environment"
      MatchOptions = ["EQUALS"]
      Values       = [var.environment_tag]
    }
  })
}

# SNS subscribers must be IMMEDIATE (DAILY and WEEKLY are for email only).
resource "aws_ce_anomaly_subscription" "alerts" {
  count = var.cost_anomaly_enabled ? 1 : 0

  name             = "uja-cost-anomaly-${var.context.qualifier}"
  account_id       = var.context.account_id
  frequency        = "IMMEDIATE"
  monitor_arn_list = [aws_ce_anomaly_monitor.environment[0].arn]

  subscriber {
    type    = "SNS"
    address = var.alarm_topic_arn
  }

  threshold_expression {
    dimension {
      key           = "ANOMALY_TOTAL_IMPACT_ABSOLUTE"
      match_options = ["GREATER_THAN_OR_EQUAL"]
      values        = [tostring(var.anomaly_threshold_usd)]
    }
  }
}
