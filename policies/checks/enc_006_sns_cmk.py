from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, customer_key, value


class SnsCustomerKey(UjaCheck):
    ID = "UJA_ENC_006"
    NAME = "SNS topic must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "Alarm and intervention messages must be encrypted under a key whose policy admits only the publishing services."
    FIX = "Set kms_master_key_id = <events key ARN>."
    RESOURCES = ("aws_sns_topic",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        return customer_key(value(conf, "kms_master_key_id"))


check = SnsCustomerKey()
