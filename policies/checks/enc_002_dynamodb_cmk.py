from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, block, customer_key, flag, value


class DynamoDbCustomerKey(UjaCheck):
    ID = "UJA_ENC_002"
    NAME = "DynamoDB table must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "The default AWS-owned key cannot be audited or revoked by this account."
    FIX = "Add server_side_encryption { enabled = true, kms_key_arn = <storage key ARN> }."
    RESOURCES = ("aws_dynamodb_table",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        sse = block(conf, "server_side_encryption")
        if sse is None:
            return False
        enabled = flag(sse, "enabled")
        if enabled is not True:
            return None if enabled is None and value(sse, "enabled") is not None else False
        return customer_key(value(sse, "kms_key_arn"))


check = DynamoDbCustomerKey()
