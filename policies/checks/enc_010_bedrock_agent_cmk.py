from policies.base import CustomerKeyCheck


class BedrockAgentCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_010"
    NAME = "Bedrock agent must be encrypted with a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "Agent sessions hold user journey context; the ml key keeps them under this account's control."
    FIX = "Set customer_encryption_key_arn = <ml key ARN> on aws_bedrockagent_agent."
    RESOURCES = ("aws_bedrockagent_agent",)
    KEY = "customer_encryption_key_arn"


check = BedrockAgentCustomerKey()
