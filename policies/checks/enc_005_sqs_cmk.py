from policies.base import CustomerKeyCheck


class SqsCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_005"
    NAME = "SQS queue must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "Queue messages carry user data; SQS-managed SSE and alias/aws/sqs are outside this account's key policies."
    FIX = "Set kms_master_key_id = <events key ARN> (and leave sqs_managed_sse_enabled unset)."
    RESOURCES = ("aws_sqs_queue",)
    KEY = "kms_master_key_id"


check = SqsCustomerKey()
