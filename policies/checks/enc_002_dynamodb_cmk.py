from policies.base import CustomerKeyCheck, block, flag, value


class DynamoDbCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_002"
    NAME = "DynamoDB table must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "The default AWS-owned key cannot be audited or revoked by this account."
    FIX = "Add server_side_encryption { enabled = true, kms_key_arn = <storage key ARN> }."
    RESOURCES = ("aws_dynamodb_table",)
    KEY = "server_side_encryption.kms_key_arn"

    def encrypted(self, conf):
        sse = block(conf, "server_side_encryption") or {}
        enabled = flag(sse, "enabled")
        if enabled is None and value(sse, "enabled") is not None:
            return None
        return enabled is True


check = DynamoDbCustomerKey()
