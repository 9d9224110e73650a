from policies import config
from policies.base import IdentityPolicyCheck, Statement
from policies.policy_document import WILDCARD


class NoWildcardActions(IdentityPolicyCheck):
    ID = "UJA_IAM_001"
    NAME = "IAM policies must name every action: no wildcard (*, ?) in an action, no Allow with NotAction"
    SEVERITY = "CRITICAL"
    RATIONALE = "Least privilege: iam:Create*, ec2:*Instances or NotAction grant actions nobody reviewed, today's and AWS's future ones."
    FIX = "List the exact actions the code calls (system spec, section 3); an (action, resource) pair AWS forces goes in policies/config.yaml wildcard_allow with its reason."

    def violates(self, st: Statement) -> bool:
        if st.not_actions:
            return True
        cfg = config.load()
        return any(WILDCARD.search(a) and not all(cfg.allowed_wildcard(a, r) for r in st.resources) for a in st.actions)


check = NoWildcardActions()
