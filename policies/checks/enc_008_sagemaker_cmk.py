from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, customer_key, value

KEY_ATTRIBUTE = {"aws_sagemaker_endpoint_configuration": "kms_key_arn", "aws_sagemaker_notebook_instance": "kms_key_id"}


class SageMakerCustomerKey(UjaCheck):
    ID = "UJA_ENC_008"
    NAME = "SageMaker endpoint configurations and notebooks must use a customer-managed KMS key"
    SEVERITY = "HIGH"
    RATIONALE = "ML volumes hold features derived from user behaviour; the ml key keeps them under this account's control."
    FIX = "Set kms_key_arn (endpoint configuration) or kms_key_id (notebook) to the ml key ARN."
    RESOURCES = tuple(KEY_ATTRIBUTE)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        return customer_key(value(conf, KEY_ATTRIBUTE[self.entity_type]))


check = SageMakerCustomerKey()
