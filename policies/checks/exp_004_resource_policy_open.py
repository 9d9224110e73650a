from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, policy_statements, wildcard_principal


class ResourcePolicyNotOpen(UjaCheck):
    ID = "UJA_EXP_004"
    NAME = 'Resource policies must not allow Principal "*" without a condition'
    SEVERITY = "CRITICAL"
    RATIONALE = "An unconditional Allow for * makes the bucket, queue or topic reachable from any AWS account."
    FIX = "Name the principals, or keep * only with an aws:SourceAccount / aws:SourceArn / aws:PrincipalAccount condition."
    RESOURCES = ("aws_s3_bucket_policy", "aws_sqs_queue_policy", "aws_sns_topic_policy", "aws_sqs_queue", "aws_sns_topic")
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        if self.entity_type in ("aws_sqs_queue", "aws_sns_topic") and conf.get("policy") is None:
            return True  # no inline policy: only the owning account's IAM applies
        found = policy_statements(conf)
        if found is None:
            return None
        return not any(st.allows and wildcard_principal(st) and not st.conditions for st in found)


check = ResourcePolicyNotOpen()
