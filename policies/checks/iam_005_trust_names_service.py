from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, policy_statements


class TrustPolicyNamesService(UjaCheck):
    ID = "UJA_IAM_005"
    NAME = "Role trust policies must name the AWS service principal that assumes the role"
    SEVERITY = "CRITICAL"
    RATIONALE = "Every role here is a service role; a trust open to * or to whole accounts lets other principals assume it."
    FIX = 'Set Principal = { Service = "<service>.amazonaws.com" } in assume_role_policy.'
    RESOURCES = ("aws_iam_role",)
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        found = policy_statements(conf, "assume_role_policy")
        if found is None:
            return None
        allows = [st for st in found if st.allows]
        if not allows:
            return False
        for st in allows:
            if st.principals is None or st.principals.everyone or set(st.principals.by_type) != {"Service"}:
                return False
            principals = st.principals.by_type
            if not all(p.endswith(".amazonaws.com") or p.endswith(".amazonaws.com.cn") for p in principals["Service"]):
                return False
        return True


check = TrustPolicyNamesService()
