from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, is_unresolved, value

ATTACHMENTS = (
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
)


def _broad(arn: str) -> bool:
    name = arn.rsplit("/", 1)[-1]
    return name in ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess") or name.endswith("FullAccess")


class NoAdminManagedPolicies(UjaCheck):
    ID = "UJA_IAM_004"
    NAME = "Roles must not attach AdministratorAccess, PowerUserAccess or *FullAccess managed policies"
    SEVERITY = "CRITICAL"
    RATIONALE = "AWS-managed broad policies (e.g. AmazonSageMakerFullAccess) grant far more than any function here needs."
    FIX = "Replace the attachment with an inline policy listing the exact actions and ARNs."
    RESOURCES = (*ATTACHMENTS, "aws_iam_role")
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        raw = value(conf, "managed_policy_arns" if self.entity_type == "aws_iam_role" else "policy_arn")
        arns = raw if isinstance(raw, list) else [raw]
        arns = [a for a in arns if isinstance(a, str) and a]
        if any(is_unresolved(a) for a in arns):
            return None
        return not any(_broad(a) for a in arns)


check = NoAdminManagedPolicies()
