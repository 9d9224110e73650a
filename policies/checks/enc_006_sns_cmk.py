from policies.base import CustomerKeyCheck


class SnsCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_006"
    NAME = "SNS topic must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "Alarm and intervention messages must be encrypted under a key whose policy admits only the publishing services."
    FIX = "Set kms_master_key_id = <events key ARN>."
    RESOURCES = ("aws_sns_topic",)
    KEY = "kms_master_key_id"


check = SnsCustomerKey()
