from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, customer_key, value


class BedrockAgentCustomerKey(UjaCheck):
    ID = "UJA_ENC_010"
    NAME = "Bedrock agent must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "Agent sessions hold user journey context; the ml key keeps them under this account's control."
    FIX = "Set customer_encryption_key_arn = <ml key ARN> on aws_bedrockagent_agent."
    RESOURCES = ("aws_bedrockagent_agent",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        return customer_key(value(conf, "customer_encryption_key_arn"))


check = BedrockAgentCustomerKey()
