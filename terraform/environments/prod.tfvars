# prod: the only file that differs between environments (system spec, section 2).
environment = "prod"

kinesis_shard_count                = 4
lambda_memory_size                 = 1024
dynamodb_point_in_time_recovery    = true
timestream_retention_magnetic_days = 2555
timestream_retention_memory_hours  = 24
kinesis_retention_period           = 168
log_retention_days                 = 365
s3_transition_ia_days              = 30
s3_transition_glacier_days         = 90
s3_expiration_days                 = 2555
deletion_protection                = true
force_destroy                      = false
kms_deletion_window_days           = 30
kinesis_parallelization_factor     = 10
lambda_reserved_concurrency        = 100
sqs_max_concurrency                = 20
nat_gateway_count                  = 2
sagemaker_instance_type            = "ml.m5.large"
sagemaker_instance_count           = 2
sagemaker_autoscaling_max          = 5
sagemaker_notebook_enabled         = false
flink_parallelism                  = 4
monthly_budget_usd                 = 3000
lambda_error_alarm_threshold       = 1
