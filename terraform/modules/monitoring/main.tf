# CloudWatch alarms (to the alerts topic) and the environment's dashboard: system spec, section 3,
# "Monitoring". Every alarm has one shape: `metrics` (one, or several summed by `expression`).
locals {
  namespace = "UserJourneyAnalytics"
  period    = 300

  # The operations each table serves, from the functions' IAM grants (spec section 3, "Lambda"):
  # a table's throttle alarm sums ThrottledRequests over exactly these.
  table_operations = {
    user_profiles    = ["BatchGetItem", "GetItem", "UpdateItem"]
    user_events      = ["BatchWriteItem", "Query"]
    struggle_signals = ["PutItem", "Query"]
    video_engagement = ["GetItem", "PutItem", "Query"]
    idempotency      = ["DeleteItem", "GetItem", "PutItem", "UpdateItem"]
  }
  consumer_queues    = ["struggle_signals", "video_analysis", "interventions"]
  failure_queues     = ["struggle_signals_dlq", "video_analysis_dlq", "interventions_dlq", "stream_failures"]
  fallback_functions = ["struggle_detector", "video_analyzer"]
  timestream_writers = ["event_processor", "struggle_detector", "video_analyzer"]

  # FILL keeps the sum defined when only some operations report data points in a period.
  sum_expression = "SUM(FILL(METRICS(), 0))"

  lambda_alarms = merge([for key, fn in var.function_names : {
    "${key}_errors" = {
      description = "${fn}: more than ${var.lambda_error_alarm_threshold} errors in 5 minutes."
      threshold   = var.lambda_error_alarm_threshold
      expression  = null
      metrics     = [{ namespace = "AWS/Lambda", metric_name = "Errors", stat = "Sum", dimensions = tomap({ FunctionName = fn }) }]
    }
    "${key}_throttles" = {
      description = "${fn}: invocations throttled."
      threshold   = 0
      expression  = null
      metrics     = [{ namespace = "AWS/Lambda", metric_name = "Throttles", stat = "Sum", dimensions = tomap({ FunctionName = fn }) }]
    }
  }]...)

  iterator_age_alarm = {
    event_processor_iterator_age = {
      description = "${var.function_names["event_processor"]}: oldest stream record older than 60 s (falling behind the stream)."
      threshold   = 60000
      expression  = null
      metrics     = [{ namespace = "AWS/Lambda", metric_name = "IteratorAge", stat = "Maximum", dimensions = tomap({ FunctionName = var.function_names["event_processor"] }) }]
    }
  }

  failure_queue_alarms = { for key in local.failure_queues : "${key}_visible" => {
    description = "${var.queue_names[key]}: messages waiting (failed work needs attention before retention drops it)."
    threshold   = 0
    expression  = null
    metrics     = [{ namespace = "AWS/SQS", metric_name = "ApproximateNumberOfMessagesVisible", stat = "Maximum", dimensions = tomap({ QueueName = var.queue_names[key] }) }]
  } }

  queue_age_alarms = { for key in local.consumer_queues : "${key}_age" => {
    description = "${var.queue_names[key]}: oldest message older than 300 s (consumer falling behind)."
    threshold   = 300
    expression  = null
    metrics     = [{ namespace = "AWS/SQS", metric_name = "ApproximateAgeOfOldestMessage", stat = "Maximum", dimensions = tomap({ QueueName = var.queue_names[key] }) }]
  } }

  table_throttle_alarms = { for key, ops in local.table_operations : "${key}_throttles" => {
    description = "${var.table_names[key]}: throttled requests (${join(", ", ops)})."
    threshold   = 0
    expression  = local.sum_expression
    metrics     = [for op in ops : { namespace = "AWS/DynamoDB", metric_name = "ThrottledRequests", stat = "Sum", dimensions = tomap({ TableName = var.table_names[key], Operation = op }) }]
  } }

  endpoint_alarms = { for key, endpoint in var.endpoint_names : "${key}_endpoint_5xx" => {
    description = "${endpoint}: model returned 5XX errors."
    threshold   = 0
    expression  = null
    metrics     = [{ namespace = "AWS/SageMaker", metric_name = "Invocation5XXErrors", stat = "Sum", dimensions = tomap({ EndpointName = endpoint, VariantName = var.endpoint_variant_name }) }]
  } }

  stream_alarm = {
    stream_write_throttled = {
      description = "${var.stream_name}: writes exceeded provisioned shard throughput."
      threshold   = 0
      expression  = null
      metrics     = [{ namespace = "AWS/Kinesis", metric_name = "WriteProvisionedThroughputExceeded", stat = "Sum", dimensions = tomap({ StreamName = var.stream_name }) }]
    }
  }

  flink_alarm = { for key, alarm in {
    flink_downtime = {
      description = "${coalesce(var.flink_application_name, "flink")}: application down (not processing the stream)."
      threshold   = 0
      expression  = null
      metrics     = [{ namespace = "AWS/KinesisAnalytics", metric_name = "downtime", stat = "Maximum", dimensions = tomap({ Application = var.flink_application_name }) }]
    }
  } : key => alarm if var.flink_enabled }

  fallback_alarms = { for key in local.fallback_functions : "${key}_fallback_scoring" => {
    description = "${var.function_names[key]}: scored in-process because the SageMaker endpoint was unavailable."
    threshold   = 0
    expression  = null
    metrics     = [{ namespace = local.namespace, metric_name = "FallbackScoring", stat = "Sum", dimensions = tomap({ service = var.function_names[key] }) }]
  } }

  timestream_alarm = { for key, alarm in {
    timestream_records_rejected = {
      description = "Timestream rejected records written by ${join(", ", [for key in local.timestream_writers : var.function_names[key]])}."
      threshold   = 0
      expression  = local.sum_expression
      metrics     = [for key in local.timestream_writers : { namespace = local.namespace, metric_name = "RecordsRejected", stat = "Sum", dimensions = tomap({ service = var.function_names[key] }) }]
    }
  } : key => alarm if var.timestream_enabled }

  alarms = merge(
    local.lambda_alarms,
    local.iterator_age_alarm,
    local.failure_queue_alarms,
    local.queue_age_alarms,
    local.table_throttle_alarms,
    local.endpoint_alarms,
    local.stream_alarm,
    local.flink_alarm,
    local.fallback_alarms,
    local.timestream_alarm,
  )
  alarm_names = { for key in keys(local.alarms) : key => "uja-${replace(key, "_", "-")}-${var.context.qualifier}" }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = local.alarm_names[each.key]
  alarm_description   = each.value.description
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]

  # A single metric uses the flat arguments; metric math uses metric_query blocks instead.
  namespace   = each.value.expression == null ? each.value.metrics[0].namespace : null
  metric_name = each.value.expression == null ? each.value.metrics[0].metric_name : null
  statistic   = each.value.expression == null ? each.value.metrics[0].stat : null
  dimensions  = each.value.expression == null ? each.value.metrics[0].dimensions : null
  period      = each.value.expression == null ? local.period : null

  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : [each.value.expression]
    content {
      id          = "total"
      expression  = metric_query.value
      label       = "Sum over ${length(each.value.metrics)} metrics"
      return_data = true
    }
  }

  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : each.value.metrics
    content {
      id = "m${metric_query.key}"
      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric_name
        stat        = metric_query.value.stat
        dimensions  = metric_query.value.dimensions
        period      = local.period
      }
    }
  }
}

# ---------------------------------------------------------------------------
# Dashboard: one per environment, widgets only for what the switches create.
# ---------------------------------------------------------------------------
locals {
  functions = values(var.function_names)

  # Metric rows as CloudWatch takes them: [namespace, metric, dimension, value, ..., {options}].
  metric_widgets = concat(
    [
      {
        title   = "Lambda invocations, errors and throttles"
        stat    = "Sum"
        metrics = flatten([for fn in local.functions : [for m in ["Invocations", "Errors", "Throttles"] : [["AWS/Lambda", m, "FunctionName", fn]]]])
      },
      {
        title   = "Lambda duration (p99, ms)"
        stat    = "p99"
        metrics = [for fn in local.functions : ["AWS/Lambda", "Duration", "FunctionName", fn]]
      },
      {
        title = "Stream: incoming records, write throttles, processor iterator age (ms, right)"
        stat  = "Sum"
        metrics = [
          ["AWS/Kinesis", "IncomingRecords", "StreamName", var.stream_name],
          ["AWS/Kinesis", "WriteProvisionedThroughputExceeded", "StreamName", var.stream_name],
          ["AWS/Lambda", "IteratorAge", "FunctionName", var.function_names["event_processor"], { stat = "Maximum", yAxis = "right" }],
        ]
      },
      {
        title   = "Event outcomes"
        stat    = "Sum"
        metrics = [for m in ["RecordsProcessed", "RecordsQuarantined", "RecordsRetried"] : [local.namespace, m, "service", var.function_names["event_processor"]]]
      },
      {
        title   = "Queues: messages visible"
        stat    = "Maximum"
        metrics = [for q in values(var.queue_names) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]]
      },
      {
        title   = "Consumer queues: age of oldest message (s)"
        stat    = "Maximum"
        metrics = [for key in local.consumer_queues : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.queue_names[key]]]
      },
      {
        title   = "DynamoDB throttled requests"
        stat    = "Sum"
        metrics = flatten([for key, ops in local.table_operations : [for op in ops : [["AWS/DynamoDB", "ThrottledRequests", "TableName", var.table_names[key], "Operation", op]]]])
      },
      {
        title = "SageMaker endpoints: invocations and 5XX errors"
        stat  = "Sum"
        metrics = flatten([for endpoint in values(var.endpoint_names) : [
          for m in ["Invocations", "Invocation5XXErrors"] : [["AWS/SageMaker", m, "EndpointName", endpoint, "VariantName", var.endpoint_variant_name]]
        ]])
      },
      {
        title   = "Fallback scoring (endpoint unavailable)"
        stat    = "Sum"
        metrics = [for key in local.fallback_functions : [local.namespace, "FallbackScoring", "service", var.function_names[key]]]
      },
      # With the switch off the handlers count skipped writes instead: chart those.
      {
        title   = var.timestream_enabled ? "Timestream records rejected" : "Timestream writes skipped (switch off)"
        stat    = "Sum"
        metrics = [for key in local.timestream_writers : [local.namespace, var.timestream_enabled ? "RecordsRejected" : "TimestreamDisabled", "service", var.function_names[key]]]
      },
    ],
    [for name in(var.flink_enabled ? [var.flink_application_name] : []) : {
      title   = "Flink sessions: downtime and full restarts"
      stat    = "Maximum"
      metrics = [for m in ["downtime", "fullRestarts"] : ["AWS/KinesisAnalytics", m, "Application", name]]
    }],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  # The alarm widget lists the alarms by ARN: create them first.
  depends_on = [aws_cloudwatch_metric_alarm.this]

  dashboard_name = "uja-dashboard-${var.context.qualifier}"
  dashboard_body = jsonencode({
    widgets = concat(
      [{
        type   = "alarm"
        width  = 24
        height = 6
        # ARNs built from the names keep the whole body known at plan time (plan tests read it).
        properties = {
          title  = "Alarms"
          alarms = [for name in values(local.alarm_names) : "arn:${var.context.partition}:cloudwatch:${var.context.region}:${var.context.account_id}:alarm:${name}"]
        }
      }],
      [for w in local.metric_widgets : {
        type   = "metric"
        width  = 12
        height = 6
        properties = {
          title   = w.title
          region  = var.context.region
          stat    = w.stat
          period  = local.period
          view    = "timeSeries"
          metrics = w.metrics
        }
      }],
    )
  })
}
