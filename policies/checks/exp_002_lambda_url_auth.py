from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, matches, value


class LambdaUrlRequiresIam(UjaCheck):
    ID = "UJA_EXP_002"
    NAME = "Lambda function URLs must require AWS_IAM authorization"
    SEVERITY = "CRITICAL"
    RATIONALE = "A URL with authorization NONE lets anyone on the internet invoke the function."
    FIX = 'Set authorization_type = "AWS_IAM" or remove the aws_lambda_function_url.'
    RESOURCES = ("aws_lambda_function_url",)
    CATEGORY = CheckCategories.NETWORKING

    def evaluate(self, conf):
        return matches(value(conf, "authorization_type"), "AWS_IAM")


check = LambdaUrlRequiresIam()
