# dev: the only file that differs between environments (system spec, section 2).
environment = "dev"

kinesis_shard_count                = 1
lambda_memory_size                 = 512
dynamodb_point_in_time_recovery    = false
timestream_retention_magnetic_days = 30
timestream_retention_memory_hours  = 24
kinesis_retention_period           = 24
log_retention_days                 = 14
s3_transition_ia_days              = 30
s3_transition_glacier_days         = 60
s3_expiration_days                 = 90
deletion_protection                = false
force_destroy                      = false
kms_deletion_window_days           = 7
kinesis_parallelization_factor     = 1
lambda_reserved_concurrency        = null
sqs_max_concurrency                = 2
nat_gateway_count                  = 1
sagemaker_instance_type            = "ml.t2.medium"
sagemaker_instance_count           = 1
sagemaker_autoscaling_max          = 0
sagemaker_notebook_enabled         = true
flink_parallelism                  = 1
monthly_budget_usd                 = 1000
lambda_error_alarm_threshold       = 5
