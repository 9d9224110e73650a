locals {
  arn_prefix = "arn:${var.context.partition}"
  role_name  = "uja-sagemaker-${var.context.qualifier}"
  role_arn   = "${local.arn_prefix}:iam::${var.context.account_id}:role/${local.role_name}"
  log_prefix = "${local.arn_prefix}:logs:${var.context.region}:${var.context.account_id}:log-group:"
  variant    = "AllTraffic"

  # model key (output map key) -> component name and build artifact
  models = {
    exit_risk        = { name = "exit-risk", instance_type = var.instance_type, instance_count = var.instance_count }
    video_engagement = { name = "video-engagement", instance_type = var.video_instance_type, instance_count = 1 }
  }
  model_artifacts = { for k, m in local.models : k => "${var.artifacts_dir}/models/${m.name}.tar.gz" }
  # The artifact's hash is part of the object key and the model name: a new artifact creates a
  # new model and endpoint config, and the endpoint switches to them (same endpoint name).
  model_hashes    = { for k, path in local.model_artifacts : k => substr(filemd5(path), 0, 8) }
  model_names     = { for k, m in local.models : k => "uja-${m.name}-${var.context.qualifier}-${local.model_hashes[k]}" }
  endpoint_names  = { for k, m in local.models : k => "uja-${m.name}-${var.context.qualifier}" }
  endpoint_groups = { for k, name in local.endpoint_names : k => "/aws/sagemaker/Endpoints/${name}" }

  notebook_name      = "uja-notebook-${var.context.qualifier}"
  notebook_log_group = "/aws/sagemaker/NotebookInstances"
  processing_group   = "/aws/sagemaker/ProcessingJobs"
  pipeline_name      = "uja-feature-engineering-${var.context.qualifier}"
  pipeline_prefix    = "pipeline/"
  # The build step's pipeline/ directory: the script and the scoring package it imports.
  pipeline_files = fileset("${var.artifacts_dir}/pipeline", "**")

  # Pipeline inputs and output in analytics-data (system spec, section 3, SageMaker).
  input_prefixes = { sessions = "session-analytics/", events = "user-events-export/" }
  output_prefix  = "feature-engineering/"

  log_group_arns = concat(
    [for g in values(local.endpoint_groups) : "${local.log_prefix}${g}:*"],
    ["${local.log_prefix}${local.processing_group}:*"],
    var.notebook_enabled ? ["${local.log_prefix}${local.notebook_log_group}:*"] : [],
  )
}

# A static table in the provider (region -> registry account): no AWS API call at plan time.
data "aws_sagemaker_prebuilt_ecr_image" "sklearn" {
  repository_name = "sagemaker-scikit-learn"
  image_tag       = "1.2-1-cpu-py3"
  region          = var.context.region
}

# ---------------------------------------------------------------------------
# Execution role (models, pipeline, notebook): no AmazonSageMakerFullAccess
# ---------------------------------------------------------------------------
module "trust" {
  source  = "../service_role_trust"
  context = var.context
  service = "sagemaker.amazonaws.com"
}

module "kms_grants" {
  source  = "../kms_alias_grant"
  context = var.context
  grants = [
    { sid = "MlKey", actions = ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"], alias_name = var.key_alias_names["ml"], via_services = ["sagemaker"] },
    { sid = "StorageKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], alias_name = var.key_alias_names["storage"], via_services = ["s3"] },
  ]
}

data "aws_iam_policy_document" "execution" {
  source_policy_documents = [module.kms_grants.json]

  statement {
    sid     = "ReadArtifacts"
    actions = ["s3:GetObject"]
    resources = [
      "${local.arn_prefix}:s3:::${var.artifacts_bucket_name}/models/*",
      "${local.arn_prefix}:s3:::${var.artifacts_bucket_name}/${local.pipeline_prefix}*",
    ]
  }
  statement {
    sid       = "ReadAnalytics"
    actions   = ["s3:GetObject"]
    resources = [for p in values(local.input_prefixes) : "${local.arn_prefix}:s3:::${var.analytics_bucket_name}/${p}*"]
  }
  # Processing inputs of type S3Prefix list their prefix first.
  statement {
    sid       = "ListPipelineInputs"
    actions   = ["s3:ListBucket"]
    resources = ["${local.arn_prefix}:s3:::${var.analytics_bucket_name}", "${local.arn_prefix}:s3:::${var.artifacts_bucket_name}"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = concat([for p in values(local.input_prefixes) : "${p}*"], ["${local.pipeline_prefix}*"])
    }
  }
  statement {
    sid       = "WriteFeatures"
    actions   = ["s3:PutObject"]
    resources = ["${local.arn_prefix}:s3:::${var.analytics_bucket_name}/${local.output_prefix}*"]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = local.log_group_arns
  }
  # /aws/sagemaker/ProcessingJobs is account-wide and SageMaker creates it on the first job.
  statement {
    sid       = "ProcessingLogGroup"
    actions   = ["logs:CreateLogGroup"]
    resources = ["${local.log_prefix}${local.processing_group}:*"]
  }
  # AWS requires "*": ENI actions for VPC jobs and endpoints take no resource-level scoping.
  statement {
    sid = "VpcNetworkInterfaces"
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:CreateNetworkInterfacePermission",
      "ec2:DeleteNetworkInterface",
      "ec2:DeleteNetworkInterfacePermission",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeVpcs",
      "ec2:DescribeDhcpOptions",
      "ec2:DescribeSubnets",
      "ec2:DescribeSecurityGroups",
    ]
    resources = ["*"]
  }
  # AWS requires "*": an ECR login token is not resource-scoped. The pulls are.
  statement {
    sid       = "EcrToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullScikitLearnImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = ["${local.arn_prefix}:ecr:${var.context.region}:${data.aws_sagemaker_prebuilt_ecr_image.sklearn.registry_id}:repository/sagemaker-scikit-learn"]
  }
  # The pipeline runs as this role: it starts its processing job and passes itself to it.
  statement {
    sid       = "RunProcessingStep"
    actions   = ["sagemaker:CreateProcessingJob", "sagemaker:DescribeProcessingJob", "sagemaker:StopProcessingJob", "sagemaker:AddTags"]
    resources = ["${local.arn_prefix}:sagemaker:${var.context.region}:${var.context.account_id}:processing-job/*"]
  }
  statement {
    sid       = "PassOwnRole"
    actions   = ["iam:PassRole"]
    resources = [local.role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = local.role_name
  assume_role_policy = module.trust.json
}

resource "aws_iam_role_policy" "execution" {
  name   = "sagemaker-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---------------------------------------------------------------------------
# Models, endpoint configs, endpoints
# ---------------------------------------------------------------------------
resource "aws_s3_object" "model" {
  for_each = local.models

  bucket                 = var.artifacts_bucket_name
  key                    = "models/${each.value.name}-${local.model_hashes[each.key]}.tar.gz"
  source                 = local.model_artifacts[each.key]
  source_hash            = filemd5(local.model_artifacts[each.key])
  server_side_encryption = "aws:kms"
  kms_key_id             = var.key_arns["storage"]
  bucket_key_enabled     = true
}

resource "aws_cloudwatch_log_group" "endpoint" {
  for_each = local.endpoint_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.key_arns["logs"]
}

resource "aws_sagemaker_model" "this" {
  for_each = local.models

  name                     = local.model_names[each.key]
  execution_role_arn       = aws_iam_role.execution.arn
  enable_network_isolation = true

  primary_container {
    image          = data.aws_sagemaker_prebuilt_ecr_image.sklearn.registry_path
    model_data_url = "s3://${aws_s3_object.model[each.key].bucket}/${aws_s3_object.model[each.key].key}"
    environment = {
      SAGEMAKER_PROGRAM          = "inference.py"
      SAGEMAKER_SUBMIT_DIRECTORY = "/opt/ml/model/code"
    }
  }

  vpc_config {
    subnets            = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  depends_on = [aws_iam_role_policy.execution]

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  for_each = local.models

  # Content-addressed like the model: the endpoint moves to a new config before the old one goes.
  name        = "uja-${each.value.name}-${var.context.qualifier}-${substr(sha1(jsonencode([local.model_names[each.key], each.value.instance_type, each.value.instance_count])), 0, 8)}"
  kms_key_arn = var.key_arns["ml"]

  production_variants {
    variant_name           = local.variant
    model_name             = aws_sagemaker_model.this[each.key].name
    instance_type          = each.value.instance_type
    initial_instance_count = each.value.instance_count
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "this" {
  for_each = local.models

  name                 = local.endpoint_names[each.key]
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this[each.key].name

  # SageMaker would otherwise create the log group itself, unencrypted and kept forever.
  depends_on = [aws_cloudwatch_log_group.endpoint]
}

resource "aws_appautoscaling_target" "exit_risk" {
  count = var.autoscaling_max > 0 ? 1 : 0

  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.this["exit_risk"].name}/variant/${local.variant}"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = var.instance_count
  max_capacity       = var.autoscaling_max
}

resource "aws_appautoscaling_policy" "exit_risk" {
  count = var.autoscaling_max > 0 ? 1 : 0

  name               = "uja-exit-risk-${var.context.qualifier}-invocations"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.exit_risk[0].service_namespace
  resource_id        = aws_appautoscaling_target.exit_risk[0].resource_id
  scalable_dimension = aws_appautoscaling_target.exit_risk[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = 100
    predefined_metric_specification {
      predefined_metric_type = "SageMakerVariantInvocationsPerInstance"
    }
  }
}

# ---------------------------------------------------------------------------
# Feature-engineering pipeline: one processing step deriving the 13 exit-risk features
# ---------------------------------------------------------------------------
resource "aws_s3_object" "pipeline_code" {
  for_each = local.pipeline_files

  bucket                 = var.artifacts_bucket_name
  key                    = "${local.pipeline_prefix}${each.value}"
  source                 = "${var.artifacts_dir}/pipeline/${each.value}"
  source_hash            = filemd5("${var.artifacts_dir}/pipeline/${each.value}")
  server_side_encryption = "aws:kms"
  kms_key_id             = var.key_arns["storage"]
  bucket_key_enabled     = true
}

resource "aws_sagemaker_pipeline" "feature_engineering" {
  pipeline_name         = local.pipeline_name
  pipeline_display_name = local.pipeline_name
  pipeline_description  = "Derives the 13 exit-risk features from session aggregates and the user-events export."
  role_arn              = aws_iam_role.execution.arn

  pipeline_definition = jsonencode({
    Version    = "2020-12-01"
    Metadata   = {}
    Parameters = []
    Steps = [{
      Name = "FeatureEngineering"
      Type = "Processing"
      Arguments = {
        ProcessingResources = {
          ClusterConfig = {
            InstanceType   = var.processing_instance_type
            InstanceCount  = 1
            VolumeSizeInGB = 30
            VolumeKmsKeyId = var.key_arns["ml"]
          }
        }
        AppSpecification = {
          ImageUri            = data.aws_sagemaker_prebuilt_ecr_image.sklearn.registry_path
          ContainerEntrypoint = ["python3", "/opt/ml/processing/input/code/feature_engineering.py"]
        }
        RoleArn = aws_iam_role.execution.arn
        ProcessingInputs = concat(
          [{
            InputName  = "code"
            AppManaged = false
            S3Input = {
              S3Uri                  = "s3://${var.artifacts_bucket_name}/${local.pipeline_prefix}"
              LocalPath              = "/opt/ml/processing/input/code"
              S3DataType             = "S3Prefix"
              S3InputMode            = "File"
              S3DataDistributionType = "FullyReplicated"
            }
          }],
          [for name, prefix in local.input_prefixes : {
            InputName  = name
            AppManaged = false
            S3Input = {
              S3Uri                  = "s3://${var.analytics_bucket_name}/${prefix}"
              LocalPath              = "/opt/ml/processing/input/${name}"
              S3DataType             = "S3Prefix"
              S3InputMode            = "File"
              S3DataDistributionType = "FullyReplicated"
            }
          }],
        )
        ProcessingOutputConfig = {
          KmsKeyId = var.key_arns["storage"]
          Outputs = [{
            OutputName = "features"
            AppManaged = false
            S3Output = {
              S3Uri        = "s3://${var.analytics_bucket_name}/${local.output_prefix}"
              LocalPath    = "/opt/ml/processing/output"
              S3UploadMode = "EndOfJob"
            }
          }]
        }
        NetworkConfig = {
          EnableNetworkIsolation = true
          VpcConfig = {
            SecurityGroupIds = var.security_group_ids
            Subnets          = var.subnet_ids
          }
        }
        StoppingCondition = { MaxRuntimeInSeconds = 3600 }
      }
    }]
  })

  depends_on = [aws_iam_role_policy.execution, aws_s3_object.pipeline_code]
}

# ---------------------------------------------------------------------------
# Notebook (sagemaker_notebook_enabled): private, no root, IMDSv2 only
# ---------------------------------------------------------------------------
resource "aws_cloudwatch_log_group" "notebook" {
  count = var.notebook_enabled ? 1 : 0

  name              = local.notebook_log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.key_arns["logs"]
}

resource "aws_sagemaker_notebook_instance" "this" {
  count = var.notebook_enabled ? 1 : 0

  name                   = local.notebook_name
  role_arn               = aws_iam_role.execution.arn
  instance_type          = "ml.t3.medium"
  platform_identifier    = "notebook-al2-v3"
  kms_key_id             = var.key_arns["ml"]
  subnet_id              = var.subnet_ids[0]
  security_groups        = var.security_group_ids
  direct_internet_access = "Disabled"
  root_access            = "Disabled"

  instance_metadata_service_configuration {
    minimum_instance_metadata_service_version = "2"
  }

  depends_on = [aws_cloudwatch_log_group.notebook, aws_iam_role_policy.execution]
}
