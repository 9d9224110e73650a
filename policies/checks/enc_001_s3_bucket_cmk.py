from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, block, customer_key, value


class S3BucketCustomerKey(UjaCheck):
    ID = "UJA_ENC_001"
    NAME = "S3 bucket default encryption must be SSE-KMS with a customer-managed key"
    SEVERITY = "HIGH"
    RATIONALE = "Data at rest stays under keys this system's key policies control and CloudTrail audits."
    FIX = 'Set rule.apply_server_side_encryption_by_default { sse_algorithm = "aws:kms", kms_master_key_id = <storage key ARN> }.'
    RESOURCES = ("aws_s3_bucket_server_side_encryption_configuration",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        rule = block(conf, "rule")
        default = block(rule, "apply_server_side_encryption_by_default") if rule else None
        if default is None:
            return False
        algorithm = value(default, "sse_algorithm")
        if algorithm not in ("aws:kms", "aws:kms:dsse"):
            return None if isinstance(algorithm, str) and "${" in algorithm else False
        return customer_key(value(default, "kms_master_key_id"))


check = S3BucketCustomerKey()
