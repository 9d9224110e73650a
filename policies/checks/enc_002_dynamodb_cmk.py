from policies.base import CustomerKeyCheck


class DynamoDbCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_002"
    NAME = "DynamoDB table must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "The default AWS-owned key cannot be audited or revoked by this account."
    FIX = "Add server_side_encryption { enabled = true, kms_key_arn = <storage key ARN> }."
    RESOURCES = ("aws_dynamodb_table",)
    KEY = "server_side_encryption.kms_key_arn"
    ENCRYPTION = ("server_side_encryption.enabled", True)


check = DynamoDbCustomerKey()
