from policies.base import CustomerKeyCheck, block


class LambdaEnvironmentCustomerKey(CustomerKeyCheck):
    ID = "UJA_ENC_009"
    NAME = "Lambda environment variables must be encrypted with a customer-managed KMS key"
    SEVERITY = "MEDIUM"
    RATIONALE = "Environment variables name tables, queues and endpoints; the storage key guards them at rest."
    FIX = "Set kms_key_arn = <storage key ARN> on every function that has an environment block."
    RESOURCES = ("aws_lambda_function",)
    KEY = "kms_key_arn"

    def evaluate(self, conf):
        environment = block(conf, "environment")
        if environment is None or not environment.get("variables"):
            return True  # no variables, nothing to encrypt
        return super().evaluate(conf)


check = LambdaEnvironmentCustomerKey()
