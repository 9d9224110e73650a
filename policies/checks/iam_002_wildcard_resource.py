from checkov.common.models.enums import CheckCategories

from policies import config
from policies.base import IDENTITY_POLICY_RESOURCES, UjaCheck, identity_statements


class WildcardResourceOnlyForListedActions(UjaCheck):
    ID = "UJA_IAM_002"
    NAME = 'IAM policies may grant Resource "*" only for the actions AWS allows on * alone (policies/config.yaml)'
    SEVERITY = "HIGH"
    RATIONALE = "Every action that supports resource-level permissions must name the exact ARNs it touches."
    FIX = "Scope the statement to exact ARNs, or move an action AWS only allows on * into a statement of its own (listed with its reason in policies/config.yaml)."
    RESOURCES = IDENTITY_POLICY_RESOURCES
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        found = identity_statements(self.entity_type, conf)
        if found is None:
            return None
        allowed = config.load().wildcard_resource_actions
        for st in found:
            if st.allows and ("*" in st.resources or st.not_resources) and not all(a in allowed for a in st.actions):
                return False
        return True


check = WildcardResourceOnlyForListedActions()
