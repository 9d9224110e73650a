from policies import config
from policies.base import IdentityPolicyCheck, Statement
from policies.policy_document import kms_alias_scoped, scoped_resource


class WildcardResourceOnlyForListedPairs(IdentityPolicyCheck):
    ID = "UJA_IAM_002"
    NAME = "IAM policies must scope resources: no wildcard in an ARN's service, region or account, none in its resource part but one trailing * after a named resource, no Allow with NotResource"
    SEVERITY = "HIGH"
    RATIONALE = (
        "Every action that supports resource-level permissions must name the resources it touches; * or table/* reaches every other one."
    )
    FIX = "Name the exact ARNs (a trailing * only after a named resource: log-group:NAME:*, bucket/prefix/*); a pair AWS forces goes in policies/config.yaml wildcard_allow with its reason."

    def violates(self, st: Statement) -> bool:
        if st.not_resources:
            return True
        cfg = config.load()
        return any(
            not (scoped_resource(r) or kms_alias_scoped(st, r)) and not all(cfg.allowed_wildcard(a, r) for a in st.actions)
            for r in st.resources
        )


check = WildcardResourceOnlyForListedPairs()
