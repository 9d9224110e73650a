from checkov.common.models.enums import CheckCategories

from policies import resource_types
from policies.base import UjaCheck, block, is_set, is_unresolved, value
from policies.policy_document import WILDCARD, concrete_value

# Per flat permission: the attributes that, set with concrete values, identify an open principal's
# origin (key -> condition key it stands for), and those that tie a service principal to a source.
CALLER = {
    "aws_lambda_permission": {"principal_org_id": "aws:principalorgid", "source_account": "aws:sourceaccount"},
    "aws_lambda_layer_version_permission": {"organization_id": "aws:principalorgid"},
}
SOURCE = {"source_account": "aws:sourceaccount", "source_arn": "aws:sourcearn"}


class PermissionPrincipalScoped(UjaCheck):
    ID = "UJA_EXP_003"
    NAME = "Flat permissions (Lambda, layers, event buses, ACM PCA, Signer) must name a principal, and for AWS services the source account or ARN"
    SEVERITY = "CRITICAL"
    RATIONALE = "A permission for * (without an organization or account condition) or for a service without source_account/source_arn lets other accounts use the resource."
    FIX = "Set principal to the service (e.g. bedrock.amazonaws.com) and source_account plus source_arn; keep * only with principal_org_id / organization_id / an aws:PrincipalOrgID condition."
    RESOURCES = resource_types.load().permissions
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf):
        principal = value(conf, "principal")
        if is_unresolved(principal):
            return None
        if not isinstance(principal, str) or not principal:
            return False
        if WILDCARD.search(principal):
            return self._pinned(conf, CALLER.get(self.entity_type, {})) or self._event_bus_org(conf)
        if principal.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            return self._pinned(conf, SOURCE)
        return True

    @staticmethod
    def _pinned(conf, attributes: dict[str, str]) -> bool | None:
        found = {key: value(conf, attr) for attr, key in attributes.items() if is_set(value(conf, attr))}
        if any(is_unresolved(v) for v in found.values()):
            return None
        return any(isinstance(v, str) and concrete_value(key, v) for key, v in found.items())

    def _event_bus_org(self, conf) -> bool | None:
        if self.entity_type != "aws_cloudwatch_event_permission":
            return False
        condition = block(conf, "condition") or {}
        key, raw = value(condition, "key"), value(condition, "value")
        if is_unresolved(raw):
            return None
        return (
            key == "aws:PrincipalOrgID"
            and value(condition, "type") == "StringEquals"
            and isinstance(raw, str)
            and concrete_value("aws:principalorgid", raw)
        )


check = PermissionPrincipalScoped()
