from policies.base import Statement, TrustPolicyCheck
from policies.policy_document import identifies

# Services that act for callers of the account (confused-deputy risk), so their trust needs aws:SourceAccount.
CONFUSED_DEPUTY_SERVICES = ("bedrock.amazonaws.com", "sagemaker.amazonaws.com")


class TrustSourceAccount(TrustPolicyCheck):
    ID = "UJA_IAM_006"
    NAME = "Bedrock and SageMaker trust policies must carry an aws:SourceAccount condition"
    SEVERITY = "HIGH"
    RATIONALE = "Confused-deputy protection: only this account's agents, models and jobs may assume the role."
    FIX = "Add Condition StringEquals aws:SourceAccount = <account id> (Bedrock: plus ArnLike aws:SourceArn = agent/*)."

    def trusted(self, statements: list[Statement]) -> bool:
        for st in statements:
            services = st.principals.services if st.principals else ()
            # Concrete values, no IfExists: a request without the key must not get through.
            if st.allows and any(s in CONFUSED_DEPUTY_SERVICES for s in services) and not identifies(st, {"aws:sourceaccount"}):
                return False
        return True


check = TrustSourceAccount()
