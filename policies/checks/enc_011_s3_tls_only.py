from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, is_tls_deny, policy_statements


class S3BucketPolicyTlsOnly(UjaCheck):
    ID = "UJA_ENC_011"
    NAME = "S3 bucket policy must deny requests without TLS (aws:SecureTransport = false)"
    SEVERITY = "HIGH"
    RATIONALE = "Encryption in transit: a plain-HTTP request must be refused for every object of the bucket."
    FIX = "Add a Deny statement for s3:* on the bucket and bucket/* with Condition Bool aws:SecureTransport = false and Principal *."
    RESOURCES = ("aws_s3_bucket_policy",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        found = policy_statements(conf)
        if found is None:
            return None
        return any(is_tls_deny(st) for st in found)


check = S3BucketPolicyTlsOnly()
