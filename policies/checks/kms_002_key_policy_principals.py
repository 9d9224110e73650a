import re

from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, policy_statements, value
from policies.policy_document import Statement, opens_to_everyone

ROOT_PRINCIPAL = re.compile(r"^arn:[a-z-]+:iam::\d{12}:root$|^\d{12}$")


def _is_admin(st: Statement) -> bool:
    return st.allows and (bool({"kms:*", "*"} & set(st.actions)) or bool(st.not_actions))


def _root_only(st: Statement) -> bool:
    principals = st.principals.by_type if st.principals and not st.principals.negated else {}
    return set(principals) == {"AWS"} and all(ROOT_PRINCIPAL.match(p) for p in principals["AWS"])


class KmsKeyPolicyPrincipals(UjaCheck):
    ID = "UJA_KMS_002"
    NAME = "KMS key policy must name its principals; only the account root may hold kms:*"
    SEVERITY = "CRITICAL"
    RATIONALE = "A key policy open to * or granting kms:* beyond the root admin statement hands the data keys to anyone."
    FIX = "Give every statement a named principal (or a service principal limited by aws:SourceAccount/SourceArn); keep kms:* to the account root."
    RESOURCES = ("aws_kms_key", "aws_kms_key_policy", "aws_kms_external_key", "aws_kms_replica_key", "aws_kms_replica_external_key")
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        if value(conf, "policy") is None:
            # The default key policy gives every IAM principal of the account kms:* through IAM.
            return False
        found = policy_statements(conf)
        if found is None:
            return None
        for st in found:
            if not st.allows:
                continue
            if st.principals is None or opens_to_everyone(st):
                return False
            if _is_admin(st) and not _root_only(st):
                return False
        return True


check = KmsKeyPolicyPrincipals()
