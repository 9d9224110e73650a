from policies.base import IdentityPolicyCheck, Statement

PASS_ROLE_ACTIONS = ("iam:passrole", "iam:pass*", "iam:*", "*")


class PassRoleScoped(IdentityPolicyCheck):
    ID = "UJA_IAM_003"
    NAME = "iam:PassRole must name exact roles and carry an iam:PassedToService condition"
    SEVERITY = "CRITICAL"
    RATIONALE = "PassRole on * lets a principal hand any role, admin included, to a service it controls."
    FIX = "Set Resource to the role ARNs passed and add Condition StringEquals iam:PassedToService = <service principal>."

    def violates(self, st: Statement) -> bool:
        if not any(a in PASS_ROLE_ACTIONS for a in st.actions):
            return False
        if any("*" in r for r in st.resources) or st.not_resources or not st.resources:
            return True
        scoped = st.condition_values("StringEquals", "iam:PassedToService") or st.condition_values("StringLike", "iam:PassedToService")
        return not scoped


check = PassRoleScoped()
