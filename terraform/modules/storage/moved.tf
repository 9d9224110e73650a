# Addresses before the buckets' configuration moved into modules/s3_bucket (issue 22); kept so
# existing states move instead of replacing. Proof: tests/integration/test_5_equivalence.py.

moved {
  from = aws_s3_bucket_ownership_controls.this["event_logs"]
  to   = module.bucket["event_logs"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["event_logs"]
  to   = module.bucket["event_logs"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["event_logs"]
  to   = module.bucket["event_logs"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["event_logs"]
  to   = module.bucket["event_logs"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["event_logs"]
  to   = module.bucket["event_logs"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["event_logs"]
  to   = module.bucket["event_logs"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_logging.this["event_logs"]
  to   = module.bucket["event_logs"].aws_s3_bucket_logging.this[0]
}

moved {
  from = aws_s3_bucket_ownership_controls.this["analytics_data"]
  to   = module.bucket["analytics_data"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["analytics_data"]
  to   = module.bucket["analytics_data"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["analytics_data"]
  to   = module.bucket["analytics_data"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["analytics_data"]
  to   = module.bucket["analytics_data"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["analytics_data"]
  to   = module.bucket["analytics_data"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["analytics_data"]
  to   = module.bucket["analytics_data"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_logging.this["analytics_data"]
  to   = module.bucket["analytics_data"].aws_s3_bucket_logging.this[0]
}

moved {
  from = aws_s3_bucket_ownership_controls.this["artifacts"]
  to   = module.bucket["artifacts"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["artifacts"]
  to   = module.bucket["artifacts"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["artifacts"]
  to   = module.bucket["artifacts"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["artifacts"]
  to   = module.bucket["artifacts"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["artifacts"]
  to   = module.bucket["artifacts"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["artifacts"]
  to   = module.bucket["artifacts"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_logging.this["artifacts"]
  to   = module.bucket["artifacts"].aws_s3_bucket_logging.this[0]
}

moved {
  from = aws_s3_bucket_ownership_controls.this["access_logs"]
  to   = module.access_logs.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["access_logs"]
  to   = module.access_logs.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["access_logs"]
  to   = module.access_logs.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["access_logs"]
  to   = module.access_logs.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["access_logs"]
  to   = module.access_logs.aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["access_logs"]
  to   = module.access_logs.aws_s3_bucket_lifecycle_configuration.this
}
