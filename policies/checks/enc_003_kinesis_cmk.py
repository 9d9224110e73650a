from policies.base import CustomerKeyCheck


class KinesisCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_003"
    NAME = "Kinesis stream must use KMS encryption with a customer-managed key"
    SEVERITY = "HIGH"
    RATIONALE = "User events are confidential; the stream must not be plaintext or on the AWS-managed key."
    FIX = 'Set encryption_type = "KMS" and kms_key_id = <events key ARN>.'
    RESOURCES = ("aws_kinesis_stream",)
    KEY = "kms_key_id"
    ENCRYPTION = ("encryption_type", "KMS")


check = KinesisCustomerKey()
