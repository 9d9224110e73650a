from policies.base import IdentityPolicyCheck, Statement


class NoWildcardActions(IdentityPolicyCheck):
    ID = "UJA_IAM_001"
    NAME = 'IAM policies must not allow Action "*", "service:*" or NotAction'
    SEVERITY = "CRITICAL"
    RATIONALE = "Least privilege: the earlier implementation granted *:* to a delete function; every action must be named."
    FIX = "List the exact actions the code calls (system spec, section 3) instead of * or service:*."

    def violates(self, st: Statement) -> bool:
        return bool(st.not_actions) or any(a == "*" or a.endswith(":*") for a in st.actions)


check = NoWildcardActions()
