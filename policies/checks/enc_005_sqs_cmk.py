from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, customer_key, value


class SqsCustomerKey(UjaCheck):
    ID = "UJA_ENC_005"
    NAME = "SQS queue must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "Queue messages carry user data; SQS-managed SSE and alias/aws/sqs are outside this account's key policies."
    FIX = "Set kms_master_key_id = <events key ARN> (and leave sqs_managed_sse_enabled unset)."
    RESOURCES = ("aws_sqs_queue",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        return customer_key(value(conf, "kms_master_key_id"))


check = SqsCustomerKey()
