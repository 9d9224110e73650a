from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, customer_key, is_unresolved, value


class KinesisCustomerKey(UjaCheck):
    ID = "UJA_ENC_003"
    NAME = "Kinesis stream must use KMS encryption with a customer-managed key"
    SEVERITY = "HIGH"
    RATIONALE = "User events are confidential; the stream must not be plaintext or on the AWS-managed key."
    FIX = 'Set encryption_type = "KMS" and kms_key_id = <events key ARN>.'
    RESOURCES = ("aws_kinesis_stream",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        kind = value(conf, "encryption_type")
        if is_unresolved(kind):
            return None
        if kind != "KMS":
            return False
        return customer_key(value(conf, "kms_key_id"))


check = KinesisCustomerKey()
