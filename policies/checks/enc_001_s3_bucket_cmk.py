from policies.base import CustomerKeyCheck, value_at

DEFAULT = "rule.apply_server_side_encryption_by_default"


class S3BucketCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_001"
    NAME = "S3 bucket default encryption must be SSE-KMS with a customer-managed key"
    SEVERITY = "HIGH"
    RATIONALE = "Data at rest stays under keys this system's key policies control and CloudTrail audits."
    FIX = 'Set rule.apply_server_side_encryption_by_default { sse_algorithm = "aws:kms", kms_master_key_id = <storage key ARN> }.'
    RESOURCES = ("aws_s3_bucket_server_side_encryption_configuration",)
    KEY = f"{DEFAULT}.kms_master_key_id"

    def encrypted(self, conf):
        algorithm = value_at(conf, f"{DEFAULT}.sse_algorithm")
        if algorithm in ("aws:kms", "aws:kms:dsse"):
            return True
        return None if isinstance(algorithm, str) and "${" in algorithm else False


check = S3BucketCustomerKey()
