# Addresses before the buckets' configuration moved into ../modules/s3_bucket (issue 22); kept so
# existing states move instead of replacing. Proof: tests/integration/test_5_equivalence.py.

moved {
  from = aws_s3_bucket_ownership_controls.this["dev"]
  to   = module.state["dev"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["dev"]
  to   = module.state["dev"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["dev"]
  to   = module.state["dev"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["dev"]
  to   = module.state["dev"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["dev"]
  to   = module.state["dev"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["dev"]
  to   = module.state["dev"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_logging.state["dev"]
  to   = module.state["dev"].aws_s3_bucket_logging.this[0]
}

moved {
  from = aws_s3_bucket_ownership_controls.this["staging"]
  to   = module.state["staging"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["staging"]
  to   = module.state["staging"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["staging"]
  to   = module.state["staging"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["staging"]
  to   = module.state["staging"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["staging"]
  to   = module.state["staging"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["staging"]
  to   = module.state["staging"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_logging.state["staging"]
  to   = module.state["staging"].aws_s3_bucket_logging.this[0]
}

moved {
  from = aws_s3_bucket_ownership_controls.this["prod"]
  to   = module.state["prod"].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["prod"]
  to   = module.state["prod"].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["prod"]
  to   = module.state["prod"].aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["prod"]
  to   = module.state["prod"].aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["prod"]
  to   = module.state["prod"].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["prod"]
  to   = module.state["prod"].aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_logging.state["prod"]
  to   = module.state["prod"].aws_s3_bucket_logging.this[0]
}

moved {
  from = aws_s3_bucket_ownership_controls.this["audit"]
  to   = module.audit.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.this["audit"]
  to   = module.audit.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.this["audit"]
  to   = module.audit.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this["audit"]
  to   = module.audit.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this["audit"]
  to   = module.audit.aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.this["audit"]
  to   = module.audit.aws_s3_bucket_lifecycle_configuration.this
}
