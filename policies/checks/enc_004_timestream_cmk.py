from policies.base import CustomerKeyCheck


class TimestreamCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_004"
    NAME = "Timestream database must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "Without kms_key_id Timestream uses an AWS-managed key this account cannot govern."
    FIX = "Set kms_key_id = <storage key ARN> on aws_timestreamwrite_database."
    RESOURCES = ("aws_timestreamwrite_database",)
    KEY = "kms_key_id"


check = TimestreamCustomerKey()
