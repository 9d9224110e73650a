from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, is_unresolved, value


class NotebookIsolated(UjaCheck):
    ID = "UJA_EXP_005"
    NAME = "SageMaker notebooks must disable direct internet access and root access"
    SEVERITY = "HIGH"
    RATIONALE = "The notebook reads confidential analytics data; it must egress through the VPC and not run as root."
    FIX = 'Set direct_internet_access = "Disabled", root_access = "Disabled" and a private subnet_id.'
    RESOURCES = ("aws_sagemaker_notebook_instance",)
    CATEGORY = CheckCategories.NETWORKING

    def evaluate(self, conf):
        # Both default to Enabled when unset.
        values = [value(conf, "direct_internet_access", "Enabled"), value(conf, "root_access", "Enabled")]
        if any(is_unresolved(v) for v in values):
            return None
        return all(v == "Disabled" for v in values)


check = NotebookIsolated()
