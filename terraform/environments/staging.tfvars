# staging: the only file that differs between environments (system spec, section 2).
environment = "staging"

kinesis_shard_count                = 2
lambda_memory_size                 = 1024
dynamodb_point_in_time_recovery    = true
timestream_retention_magnetic_days = 90
timestream_retention_memory_hours  = 24
kinesis_retention_period           = 48
log_retention_days                 = 30
s3_transition_ia_days              = 30
s3_transition_glacier_days         = 90
s3_expiration_days                 = 365
deletion_protection                = false
force_destroy                      = false
kms_deletion_window_days           = 7
kinesis_parallelization_factor     = 2
lambda_reserved_concurrency        = 20
sqs_max_concurrency                = 5
nat_gateway_count                  = 2
sagemaker_instance_type            = "ml.m5.large"
sagemaker_instance_count           = 1
sagemaker_autoscaling_max          = 0
sagemaker_notebook_enabled         = false
flink_parallelism                  = 2
monthly_budget_usd                 = 1500
lambda_error_alarm_threshold       = 5
