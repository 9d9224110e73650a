from policies.base import Statement, TrustPolicyCheck


class TrustPolicyNamesService(TrustPolicyCheck):
    ID = "UJA_IAM_005"
    NAME = "Role trust policies must name the AWS service principal that assumes the role"
    SEVERITY = "CRITICAL"
    RATIONALE = "Every role here is a service role; a trust open to * or to whole accounts lets other principals assume it."
    FIX = 'Set Principal = { Service = "<service>.amazonaws.com" } in assume_role_policy.'

    def trusted(self, statements: list[Statement]) -> bool:
        allows = [st for st in statements if st.allows]
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
