from policies.base import ResourcePolicyCheck
from policies.policy_document import Statement, opens_to_everyone


class ResourcePolicyNotOpen(ResourcePolicyCheck):
    ID = "UJA_EXP_004"
    NAME = "Resource policies must not allow every principal unless a condition identifies the caller or its origin"
    SEVERITY = "CRITICAL"
    RATIONALE = (
        'An Allow for "*", {"AWS": "*"} or NotPrincipal reaches every AWS account unless aws:PrincipalAccount, aws:PrincipalOrgID,'
        " aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceOrgID, aws:SourceVpc or aws:SourceVpce pins it with concrete"
        " values (no wildcard, no IfExists); transport, time, user-agent or tag conditions do not."
    )
    FIX = "Name the principals, or keep * only with a StringEquals/ArnLike condition on aws:PrincipalAccount (or PrincipalOrgID, SourceAccount, SourceArn, SourceVpce...) with concrete values."

    def violates(self, st: Statement) -> bool:
        return opens_to_everyone(st)


check = ResourcePolicyNotOpen()
