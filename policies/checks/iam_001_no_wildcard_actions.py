from checkov.common.models.enums import CheckCategories

from policies.base import IDENTITY_POLICY_RESOURCES, UjaCheck, identity_statements


class NoWildcardActions(UjaCheck):
    ID = "UJA_IAM_001"
    NAME = 'IAM policies must not allow Action "*", "service:*" or NotAction'
    SEVERITY = "CRITICAL"
    RATIONALE = "Least privilege: the earlier implementation granted *:* to a delete function; every action must be named."
    FIX = "List the exact actions the code calls (system spec, section 3) instead of * or service:*."
    RESOURCES = IDENTITY_POLICY_RESOURCES
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        found = identity_statements(self.entity_type, conf)
        if found is None:
            return None
        for st in found:
            if not st.allows:
                continue
            if st.not_actions or any(a == "*" or a.endswith(":*") for a in st.actions):
                return False
        return True


check = NoWildcardActions()
