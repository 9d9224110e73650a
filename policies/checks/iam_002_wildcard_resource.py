from policies import config
from policies.base import IdentityPolicyCheck, Statement


class WildcardResourceOnlyForListedActions(IdentityPolicyCheck):
    ID = "UJA_IAM_002"
    NAME = 'IAM policies may grant Resource "*" only for the actions AWS allows on * alone (policies/config.yaml)'
    SEVERITY = "HIGH"
    RATIONALE = "Every action that supports resource-level permissions must name the exact ARNs it touches."
    FIX = "Scope the statement to exact ARNs, or move an action AWS only allows on * into a statement of its own (listed with its reason in policies/config.yaml)."

    def violates(self, st: Statement) -> bool:
        allowed = config.load().wildcard_resource_actions
        return ("*" in st.resources or bool(st.not_resources)) and not all(a in allowed for a in st.actions)


check = WildcardResourceOnlyForListedActions()
