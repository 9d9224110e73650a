from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, customer_key, value


class LogGroupCustomerKey(UjaCheck):
    ID = "UJA_ENC_007"
    NAME = "CloudWatch log group must be encrypted with a customer-managed KMS key"
    SEVERITY = "MEDIUM"
    RATIONALE = "Function logs can echo user data; the logs key keeps them under this account's control."
    FIX = "Set kms_key_id = <logs key ARN>."
    RESOURCES = ("aws_cloudwatch_log_group",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        return customer_key(value(conf, "kms_key_id"))


check = LogGroupCustomerKey()
