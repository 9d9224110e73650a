locals {
  arn_prefix    = "arn:${var.context.partition}"
  timestream_on = var.timestream_database_name != ""

  # Every ARN below is built from known names, so each role's policy is fully known at plan time.
  table_arns = { for k, name in var.table_names : k => "${local.arn_prefix}:dynamodb:${var.context.region}:${var.context.account_id}:table/${name}" }
  queue_arns = { for k, name in var.queue_names : k => "${local.arn_prefix}:sqs:${var.context.region}:${var.context.account_id}:${name}" }
  timestream_table_arns = {
    for k, name in var.timestream_table_names :
    k => "${local.arn_prefix}:timestream:${var.context.region}:${var.context.account_id}:database/${var.timestream_database_name}/table/${name}"
  }
  # SageMaker ARNs carry the endpoint name in lower case.
  endpoint_arns = { for k, name in var.endpoint_names : k => "${local.arn_prefix}:sagemaker:${var.context.region}:${var.context.account_id}:endpoint/${lower(name)}" }
  topic_arn     = "${local.arn_prefix}:sns:${var.context.region}:${var.context.account_id}:${var.user_interventions_topic_name}"

  idempotency_grant = {
    sid       = "Idempotency"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [local.table_arns["idempotency"]]
  }
  consume_queue_actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]

  # One entry per function (system spec, section 3, Lambda). `environment` is the spec's list,
  # only the variables the function uses; `grants` are the function's own actions on exact ARNs;
  # `events_via`/`storage_via` are the kms:ViaService services per key; `timestream_tables`
  # are the tables it writes when Timestream is on.
  functions = {
    event_processor = {
      name    = "event-processor"
      package = "event_processor"
      environment = {
        USER_EVENTS_TABLE   = var.table_names["user_events"]
        USER_PROFILES_TABLE = var.table_names["user_profiles"]
        STRUGGLE_QUEUE_URL  = var.queue_urls["struggle_signals"]
        VIDEO_QUEUE_URL     = var.queue_urls["video_analysis"]
        EVENT_LOGS_BUCKET   = var.event_logs_bucket_name
        TIMESTREAM_DATABASE = var.timestream_database_name
      }
      events_via        = ["kinesis", "sqs"]
      storage_via       = ["dynamodb", "timestream", "s3", "lambda"]
      timestream_tables = ["user_metrics", "session_analytics"]
      grants = [
        {
          sid       = "ReadStream"
          actions   = ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"]
          resources = [var.stream_arn]
        },
        { sid = "StoreEvents", actions = ["dynamodb:BatchWriteItem"], resources = [local.table_arns["user_events"]] },
        { sid = "UpdateProfiles", actions = ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], resources = [local.table_arns["user_profiles"]] },
        # stream-failures: Lambda sends the trigger's on-failure records with this role.
        {
          sid       = "SendCandidates"
          actions   = ["sqs:SendMessage"]
          resources = [local.queue_arns["struggle_signals"], local.queue_arns["video_analysis"], local.queue_arns["stream_failures"]]
        },
        { sid = "Quarantine", actions = ["s3:PutObject"], resources = ["${local.arn_prefix}:s3:::${var.event_logs_bucket_name}/quarantine/*"] },
      ]
    }
    struggle_detector = {
      name    = "struggle-detector"
      package = "struggle_detector"
      environment = {
        STRUGGLE_SIGNALS_TABLE  = var.table_names["struggle_signals"]
        USER_EVENTS_TABLE       = var.table_names["user_events"]
        USER_PROFILES_TABLE     = var.table_names["user_profiles"]
        IDEMPOTENCY_TABLE       = var.table_names["idempotency"]
        INTERVENTIONS_QUEUE_URL = var.queue_urls["interventions"]
        EXIT_RISK_ENDPOINT      = var.endpoint_names["exit_risk"]
        TIMESTREAM_DATABASE     = var.timestream_database_name
      }
      events_via        = ["sqs"]
      storage_via       = ["dynamodb", "timestream", "lambda"]
      timestream_tables = ["struggle_signals"]
      grants = [
        { sid = "ConsumeQueue", actions = local.consume_queue_actions, resources = [local.queue_arns["struggle_signals"]] },
        { sid = "SendInterventions", actions = ["sqs:SendMessage"], resources = [local.queue_arns["interventions"]] },
        { sid = "Signals", actions = ["dynamodb:Query", "dynamodb:PutItem"], resources = [local.table_arns["struggle_signals"]] },
        { sid = "QueryEvents", actions = ["dynamodb:Query"], resources = [local.table_arns["user_events"]] },
        { sid = "ReadProfiles", actions = ["dynamodb:GetItem"], resources = [local.table_arns["user_profiles"]] },
        local.idempotency_grant,
        { sid = "ScoreExitRisk", actions = ["sagemaker:InvokeEndpoint"], resources = [local.endpoint_arns["exit_risk"]] },
      ]
    }
    video_analyzer = {
      name    = "video-analyzer"
      package = "video_analyzer"
      environment = {
        VIDEO_ENGAGEMENT_TABLE  = var.table_names["video_engagement"]
        USER_PROFILES_TABLE     = var.table_names["user_profiles"]
        IDEMPOTENCY_TABLE       = var.table_names["idempotency"]
        INTERVENTIONS_QUEUE_URL = var.queue_urls["interventions"]
        VIDEO_ENDPOINT          = var.endpoint_names["video_engagement"]
        TIMESTREAM_DATABASE     = var.timestream_database_name
      }
      events_via        = ["sqs"]
      storage_via       = ["dynamodb", "timestream", "lambda"]
      timestream_tables = ["video_engagement"]
      grants = [
        { sid = "ConsumeQueue", actions = local.consume_queue_actions, resources = [local.queue_arns["video_analysis"]] },
        { sid = "SendInterventions", actions = ["sqs:SendMessage"], resources = [local.queue_arns["interventions"]] },
        { sid = "VideoEngagement", actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], resources = [local.table_arns["video_engagement"]] },
        { sid = "UpdateProfiles", actions = ["dynamodb:UpdateItem"], resources = [local.table_arns["user_profiles"]] },
        local.idempotency_grant,
        { sid = "ScoreVideo", actions = ["sagemaker:InvokeEndpoint"], resources = [local.endpoint_arns["video_engagement"]] },
      ]
    }
    intervention_executor = {
      name    = "intervention-executor"
      package = "intervention_executor"
      environment = {
        USER_PROFILES_TABLE          = var.table_names["user_profiles"]
        IDEMPOTENCY_TABLE            = var.table_names["idempotency"]
        USER_INTERVENTIONS_TOPIC_ARN = local.topic_arn
      }
      events_via        = ["sqs", "sns"]
      storage_via       = ["dynamodb", "lambda"]
      timestream_tables = []
      grants = [
        { sid = "ConsumeQueue", actions = local.consume_queue_actions, resources = [local.queue_arns["interventions"]] },
        { sid = "Profiles", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = [local.table_arns["user_profiles"]] },
        local.idempotency_grant,
        { sid = "PublishInterventions", actions = ["sns:Publish"], resources = [local.topic_arn] },
      ]
    }
  }

  function_names = { for k, f in local.functions : k => "uja-${f.name}-${var.context.qualifier}" }
  environments = {
    for k, f in local.functions : k => merge(f.environment, {
      POWERTOOLS_SERVICE_NAME      = local.function_names[k]
      POWERTOOLS_METRICS_NAMESPACE = "UserJourneyAnalytics"
      LOG_LEVEL                    = var.log_level
    })
  }
  log_group_names = { for k, name in local.function_names : k => "/aws/lambda/${name}" }
  sqs_triggers = {
    struggle_detector     = "struggle_signals"
    video_analyzer        = "video_analysis"
    intervention_executor = "interventions"
  }
}

# ---------------------------------------------------------------------------
# Code: the build step's zips, uploaded as they are (never built here)
# ---------------------------------------------------------------------------
resource "aws_s3_object" "code" {
  for_each = local.functions

  bucket                 = var.artifacts_bucket_name
  key                    = "lambda/${each.value.name}.zip"
  source                 = "${var.artifacts_dir}/lambda/${each.value.name}.zip"
  source_hash            = filemd5("${var.artifacts_dir}/lambda/${each.value.name}.zip")
  server_side_encryption = "aws:kms"
  kms_key_id             = var.storage_key_arn
  bucket_key_enabled     = true
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.functions

  name              = local.log_group_names[each.key]
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_key_arn
}

# ---------------------------------------------------------------------------
# Roles: one each, exactly the spec's grants
# ---------------------------------------------------------------------------
# Only a function created in this account (iam:PassRole) runs as the role: no source condition.
module "trust" {
  source         = "../service_role_trust"
  context        = var.context
  service        = "lambda.amazonaws.com"
  source_account = false
}

module "kms_grants" {
  source   = "../kms_alias_grant"
  for_each = local.functions
  context  = var.context
  grants = [
    { sid = "EventsKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], alias_name = var.key_alias_names["events"], via_services = each.value.events_via },
    { sid = "StorageKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], alias_name = var.key_alias_names["storage"], via_services = [for s in each.value.storage_via : s if local.timestream_on || s != "timestream"] },
  ]
}

data "aws_iam_policy_document" "this" {
  for_each                = local.functions
  source_policy_documents = [module.kms_grants[each.key].json]

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.arn_prefix}:logs:${var.context.region}:${var.context.account_id}:log-group:${local.log_group_names[each.key]}:*"]
  }

  # AWS requires "*": ENI actions take no resource-level scoping for VPC functions.
  statement {
    sid = "VpcNetworkInterfaces"
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["*"]
  }

  # AWS requires "*": X-Ray trace ingestion has no resource ARNs.
  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  # AWS requires "*": the SDK's Timestream endpoint discovery is not resource-scoped.
  dynamic "statement" {
    for_each = local.timestream_on && length(each.value.timestream_tables) > 0 ? [1] : []
    content {
      sid       = "TimestreamEndpointDiscovery"
      actions   = ["timestream:DescribeEndpoints"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.timestream_on && length(each.value.timestream_tables) > 0 ? [1] : []
    content {
      sid       = "TimestreamWrite"
      actions   = ["timestream:WriteRecords"]
      resources = [for t in each.value.timestream_tables : local.timestream_table_arns[t]]
    }
  }

  dynamic "statement" {
    for_each = each.value.grants
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.functions

  name               = local.function_names[each.key]
  assume_role_policy = module.trust.json
}

resource "aws_iam_role_policy" "this" {
  for_each = local.functions

  name   = each.value.name
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.this[each.key].json
}

# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------
resource "aws_lambda_function" "this" {
  for_each = local.functions

  function_name = local.function_names[each.key]
  role          = aws_iam_role.this[each.key].arn
  runtime       = "python3.12"
  architectures = ["arm64"]
  handler       = "${each.value.package}.handler.handler"
  memory_size   = var.memory_size
  timeout       = var.timeouts[each.key]

  s3_bucket         = aws_s3_object.code[each.key].bucket
  s3_key            = aws_s3_object.code[each.key].key
  s3_object_version = aws_s3_object.code[each.key].version_id
  source_code_hash  = filebase64sha256("${var.artifacts_dir}/lambda/${each.value.name}.zip")

  # -1 is the provider's "unreserved".
  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency
  kms_key_arn                    = var.storage_key_arn

  environment {
    variables = local.environments[each.key]
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  tracing_config {
    mode = "Active"
  }

  # Lambda logs to /aws/lambda/<name>: the group must exist first (else Lambda creates it
  # unmanaged, unencrypted, kept forever), and the grants before the first invocation.
  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

# ---------------------------------------------------------------------------
# Triggers
# ---------------------------------------------------------------------------
# TRIM_HORIZON: records written before the mapping exists (or while it is re-created) are still
# processed; redelivery is harmless (idempotent store, sequence-number guarded counters).
resource "aws_lambda_event_source_mapping" "stream" {
  function_name                      = aws_lambda_function.this["event_processor"].arn
  event_source_arn                   = var.stream_arn
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = 100
  maximum_batching_window_in_seconds = 5
  function_response_types            = ["ReportBatchItemFailures"]
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = 3
  maximum_record_age_in_seconds      = 3600
  parallelization_factor             = var.kinesis_parallelization_factor

  destination_config {
    on_failure {
      destination_arn = var.stream_failures_queue_arn
    }
  }
}

resource "aws_lambda_event_source_mapping" "queue" {
  for_each = local.sqs_triggers

  function_name           = aws_lambda_function.this[each.key].arn
  event_source_arn        = var.queue_arns[each.value] # ready once the queue and its redrive exist
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.sqs_max_concurrency
  }
}
