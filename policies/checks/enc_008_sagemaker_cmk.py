from policies.base import CustomerKeyCheck

KEYS = {"aws_sagemaker_endpoint_configuration": "kms_key_arn", "aws_sagemaker_notebook_instance": "kms_key_id"}


class SageMakerCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_008"
    NAME = "SageMaker endpoint configurations and notebooks must use a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "ML volumes hold features derived from user behaviour; the ml key keeps them under this account's control."
    FIX = "Set kms_key_arn (endpoint configuration) or kms_key_id (notebook) to the ml key ARN."
    RESOURCES = tuple(KEYS)
    KEY = KEYS


check = SageMakerCustomerKey()
