from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, is_set, is_unresolved, value


class LambdaPermissionScoped(UjaCheck):
    ID = "UJA_EXP_003"
    NAME = "Lambda permissions must name a principal and, for AWS services, the source account or ARN"
    SEVERITY = "CRITICAL"
    RATIONALE = "A permission for * or for a service without source_account/source_arn lets other accounts invoke the function."
    FIX = "Set principal to the service (e.g. bedrock.amazonaws.com) and source_account plus source_arn."
    RESOURCES = ("aws_lambda_permission",)
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        principal = value(conf, "principal")
        if is_unresolved(principal):
            return None
        if not isinstance(principal, str) or "*" in principal:
            return False
        if principal.endswith(".amazonaws.com"):
            return is_set(value(conf, "source_account")) or is_set(value(conf, "source_arn"))
        return True


check = LambdaPermissionScoped()
