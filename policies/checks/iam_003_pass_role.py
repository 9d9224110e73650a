from checkov.common.models.enums import CheckCategories

from policies.base import IDENTITY_POLICY_RESOURCES, UjaCheck, identity_statements


class PassRoleScoped(UjaCheck):
    ID = "UJA_IAM_003"
    NAME = "iam:PassRole must name exact roles and carry an iam:PassedToService condition"
    SEVERITY = "CRITICAL"
    RATIONALE = "PassRole on * lets a principal hand any role, admin included, to a service it controls."
    FIX = "Set Resource to the role ARNs passed and add Condition StringEquals iam:PassedToService = <service principal>."
    RESOURCES = IDENTITY_POLICY_RESOURCES
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        found = identity_statements(self.entity_type, conf)
        if found is None:
            return None
        for st in found:
            if not st.allows or not any(a in ("iam:passrole", "iam:pass*", "iam:*", "*") for a in st.actions):
                continue
            if any("*" in r for r in st.resources) or st.not_resources or not st.resources:
                return False
            if not st.condition_values("StringEquals", "iam:PassedToService") and not st.condition_values(
                "StringLike", "iam:PassedToService"
            ):
                return False
        return True


check = PassRoleScoped()
