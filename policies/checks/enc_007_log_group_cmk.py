from policies.base import CustomerKeyCheck


class LogGroupCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_007"
    NAME = "CloudWatch log group must be encrypted with a customer-managed KMS key"
    SEVERITY = "MEDIUM"
    RATIONALE = "Function logs can echo user data; the logs key keeps them under this account's control."
    FIX = "Set kms_key_id = <logs key ARN>."
    RESOURCES = ("aws_cloudwatch_log_group",)
    KEY = "kms_key_id"


check = LogGroupCustomerKey()
