from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, policy_statements
from policies.policy_document import identifies

# Services that act for callers of the account (confused-deputy risk), so their trust needs aws:SourceAccount.
CONFUSED_DEPUTY_SERVICES = ("bedrock.amazonaws.com", "sagemaker.amazonaws.com")


class TrustSourceAccount(UjaCheck):
    ID = "UJA_IAM_006"
    NAME = "Bedrock and SageMaker trust policies must carry an aws:SourceAccount condition"
    SEVERITY = "HIGH"
    RATIONALE = "Confused-deputy protection: only this account's agents, models and jobs may assume the role."
    FIX = "Add Condition StringEquals aws:SourceAccount = <account id> (Bedrock: plus ArnLike aws:SourceArn = agent/*)."
    RESOURCES = ("aws_iam_role",)
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        found = policy_statements(conf, "assume_role_policy")
        if found is None:
            return None
        for st in found:
            services = st.principals.services if st.principals else ()
            # Concrete values, no IfExists: a request without the key must not get through.
            if st.allows and any(s in CONFUSED_DEPUTY_SERVICES for s in services) and not identifies(st, {"aws:sourceaccount"}):
                return False
        return True


check = TrustSourceAccount()
