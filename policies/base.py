"""What every UJA_ policy shares: its catalogue entry, the checkov base class, and value helpers.

A check sees a resource's configuration the way checkov hands it over, on HCL and on a plan alike:
every attribute wrapped in a list, nested blocks as lists of dicts, references on HCL as
``${...}`` strings, and values unknown until apply as ``true_after_unknown`` on plans (the gate sets
``EVAL_TF_PLAN_AFTER_UNKNOWN``). Checks answer UNKNOWN (no finding, no pass) when what they need is
not resolved, and the plan scan, where IAM documents are fully known, has the last word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.common.util.consts import TRUE_AFTER_UNKNOWN
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from policies import config, resource_types
from policies.catalog import CATALOG, SEVERITIES, Rule, register  # noqa: F401  (re-exported: checks import them from here)
from policies.policy_document import Statement, parse
from policies.policy_document import is_unresolved as is_unresolved  # re-exported: the checks read it from here

# (check id, resource address, first line) of every evaluation a check could not decide in this
# process; checkov drops UNKNOWN results, so the gate drains this after each scan (policies.gate).
UNDECIDED: list[tuple[str, str, int]] = []


class UjaCheck(BaseResourceCheck):
    """A checkov resource check with a UJA_ id; subclasses set the class attributes and ``evaluate``."""

    ID: ClassVar[str]
    NAME: ClassVar[str]
    SEVERITY: ClassVar[str]
    RATIONALE: ClassVar[str]
    FIX: ClassVar[str]
    RESOURCES: ClassVar[tuple[str, ...]]
    CATEGORY: ClassVar[CheckCategories] = CheckCategories.GENERAL_SECURITY

    def __init__(self) -> None:
        self.rule = register(Rule(self.ID, self.NAME, self.SEVERITY, self.RATIONALE, self.FIX))
        super().__init__(name=self.NAME, id=self.ID, categories=[self.CATEGORY], supported_resources=self.RESOURCES, guideline=self.FIX)
        self.severity = Severities[self.SEVERITY]

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if not self.applies():
            return CheckResult.UNKNOWN  # silent: checkov drops it, and it is no open question
        verdict = self.evaluate(conf)
        if verdict is None:
            line = conf.get("__start_line__") or conf.get("__startline__") or 0
            UNDECIDED.append((self.id, str(conf.get("__address__", "")), int(line[0] if isinstance(line, list) else line)))
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if verdict else CheckResult.FAILED

    def applies(self) -> bool:
        """Whether the rule applies in this scan at all (per-environment rules: only where required)."""
        return True

    def evaluate(self, conf: dict[str, list[Any]]) -> bool | None:
        """True: compliant; False: a finding; None: not decidable from this configuration (UNKNOWN)."""
        raise NotImplementedError


def value(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """An attribute's value, unwrapped from checkov's one-element list."""
    raw = conf.get(key, default)
    while isinstance(raw, list) and len(raw) == 1 and not isinstance(raw[0], dict):
        raw = raw[0]
    return raw


def block(conf: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The first nested block named ``key``, or None when absent."""
    raw = conf.get(key)
    while isinstance(raw, list) and raw:
        raw = raw[0]
    return raw if isinstance(raw, dict) else None


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    raw = conf.get(key) or []
    if isinstance(raw, dict):
        return [raw]
    out: list[dict[str, Any]] = []
    for item in raw:
        if isinstance(item, dict):
            out.append(item)
        elif isinstance(item, list):
            out.extend(i for i in item if isinstance(i, dict))
    return out


def is_set(raw: Any) -> bool:
    return raw not in (None, "", [], {})


def as_flag(raw: Any) -> bool | None:
    """A boolean value, also written "true"/"false": True/False, or None when unresolved or absent."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return None


def flag(conf: dict[str, Any], key: str) -> bool | None:
    """A boolean attribute: True/False, or None when unresolved or absent."""
    return as_flag(value(conf, key))


def as_number(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return int(raw)
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw)
    return None


def number(conf: dict[str, Any], key: str) -> int | None:
    return as_number(value(conf, key))


def matches(raw: Any, expected: object) -> bool | None:
    """Whether a value is ``expected`` (a boolean also written "true"/"false"): absent is False, an
    unresolved reference (or, for a boolean, a value of another kind) None."""
    if isinstance(expected, bool):
        found = as_flag(raw)
        if found is None:
            return False if raw is None else None
        return found == expected
    return None if is_unresolved(raw) else raw == expected


def within(raw: Any, low: int | None, high: int | None) -> bool | None:
    """Whether a value is a whole number from ``low`` to ``high`` (None: no bound on that side): absent
    or not a number is False, an unresolved reference None."""
    if is_unresolved(raw):
        return None
    found = as_number(raw)
    return found is not None and (low is None or low <= found) and (high is None or found <= high)


def customer_key(raw: Any) -> bool | None:
    """Whether a KMS key attribute names a customer-managed key (None: unresolved on HCL)."""
    if not is_set(raw):
        return False
    if raw == TRUE_AFTER_UNKNOWN:
        return True  # a key created in the same plan: customer-managed by definition
    if not isinstance(raw, str):
        return None
    # AWS-managed keys are only reachable by their alias/aws/<service> names.
    return "alias/aws/" not in raw


def value_at(conf: dict[str, Any], dotted: str) -> Any:
    """``rule.apply_server_side_encryption_by_default.kms_master_key_id``: an attribute's value inside
    nested blocks (the first block of each), None when a block is absent."""
    *path, name = dotted.split(".")
    for key in path:
        found = block(conf, key)
        if found is None:
            return None
        conf = found
    return value(conf, name)


class CustomerKeyCheck(UjaCheck):
    """A resource's KMS key attribute must name a customer-managed key (``customer_key``).

    Declarative, as checkov's ``BaseResourceValueCheck``: a subclass names where the key is (``KEY``,
    dotted through nested blocks; a mapping by resource type where types differ) and, when the
    resource can also be left unencrypted or on another algorithm, the attribute that asks for KMS
    and its value (``ENCRYPTION``, compared by ``matches``; ``encrypted`` where one value will not
    do). Ours rather than checkov's base: it answers UNKNOWN for an unresolved reference and passes a
    key created in the same plan.
    """

    KEY: ClassVar[str | Mapping[str, str]]
    ENCRYPTION: ClassVar[tuple[str, object] | None] = None
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf: dict[str, list[Any]]) -> bool | None:
        encrypted = self.encrypted(conf)
        if encrypted is not True:
            return encrypted
        key = self.KEY if isinstance(self.KEY, str) else self.KEY[self.entity_type]
        return customer_key(value_at(conf, key))

    def encrypted(self, conf: dict[str, list[Any]]) -> bool | None:
        """Whether the resource asks for KMS encryption at all (False: a finding; None: unresolved)."""
        if self.ENCRYPTION is None:
            return True
        attribute, expected = self.ENCRYPTION
        return matches(value_at(conf, attribute), expected)


class EnvironmentCheck(UjaCheck):
    """A rule of the active environment (``policies/config.yaml``): silent when the scan has none, or
    when ``REQUIRED_BY`` names a setting the environment leaves off (e.g. PITR only where required)."""

    REQUIRED_BY: ClassVar[str | None] = None

    @property
    def environment(self) -> config.EnvironmentRules:
        env = config.active_environment()
        if env is None:  # evaluate runs only where applies() holds
            raise RuntimeError(f"{self.ID}: no active environment")
        return env

    def applies(self) -> bool:
        env = config.active_environment()
        return env is not None and (self.REQUIRED_BY is None or bool(getattr(env, self.REQUIRED_BY)))


# --- IAM policy documents (the model: policies.policy_document) -----------------------------


def is_tls_deny(st: Statement) -> bool:
    """Deny s3:* when aws:SecureTransport is false, on a bucket and its objects."""
    return (
        st.effect == "Deny"
        and bool({"s3:*", "*"} & set(st.actions))
        and "false" in st.condition_values("Bool", "aws:SecureTransport")
        and any(r.endswith("/*") for r in st.resources)
        and any(not r.endswith("/*") for r in st.resources)
    )


def policy_statements(conf: dict[str, Any], key: str = "policy") -> list[Statement] | None:
    return parse(conf.get(key))


def inline_policies(conf: dict[str, Any]) -> Iterable[Any]:
    """The ``inline_policy`` blocks' documents of an ``aws_iam_role``."""
    for item in blocks(conf, "inline_policy"):
        if "policy" in item:
            yield item["policy"]


IDENTITY_POLICY_RESOURCES = (
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",
    "aws_ssoadmin_permission_set_inline_policy",
)


def identity_statements(entity_type: str, conf: dict[str, Any]) -> list[Statement] | None:
    """The statements of an identity policy resource (a role's inline_policy blocks included); None if any is unresolved."""
    if entity_type == "aws_iam_role":
        documents = list(inline_policies(conf))
    else:
        documents = [conf.get("inline_policy" if entity_type == "aws_ssoadmin_permission_set_inline_policy" else "policy")]
    found: list[Statement] = []
    for raw in documents:
        parsed = parse(raw)
        if parsed is None:
            return None
        found += parsed
    return found


class IdentityPolicyCheck(UjaCheck):
    """A check of every Allow statement of an identity policy (inline role policies included)."""

    RESOURCES = IDENTITY_POLICY_RESOURCES
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf: dict[str, list[Any]]) -> bool | None:
        found = identity_statements(self.entity_type, conf)
        if found is None:
            return None
        return not any(self.violates(st) for st in found if st.allows)

    def violates(self, st: Statement) -> bool:
        """True when this Allow statement breaks the rule."""
        raise NotImplementedError


class TrustPolicyCheck(UjaCheck):
    """A check of a role's trust policy (``assume_role_policy``), UNKNOWN while it is unresolved."""

    RESOURCES = ("aws_iam_role",)
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf: dict[str, list[Any]]) -> bool | None:
        found = policy_statements(conf, "assume_role_policy")
        return None if found is None else self.trusted(found)

    def trusted(self, statements: list[Statement]) -> bool:
        """True when the trust policy's statements keep the rule."""
        raise NotImplementedError


class ResourcePolicyCheck(UjaCheck):
    """A check of every statement of a resource-based policy, on every type that can carry one
    (``policies/resource_policies.yaml``, derived from the provider schema)."""

    RESOURCES = tuple(sorted(resource_types.load().covered))
    CATEGORY = CheckCategories.IAM

    def evaluate(self, conf: dict[str, list[Any]]) -> bool | None:
        raw = attribute(conf, resource_types.load().covered[self.entity_type])
        if value({"v": raw}, "v") in (None, "", []):
            return True  # no policy: only the owning account's IAM applies (the default key policy: UJA_KMS_002)
        found = parse(raw)
        if found is None:
            return None
        return not any(self.violates(st) for st in found)

    def violates(self, st: Statement) -> bool:
        """True when this statement breaks the rule."""
        raise NotImplementedError


def attribute(conf: dict[str, Any], dotted: str) -> Any:
    """``details.policy``: an attribute inside nested blocks (first block of each)."""
    *path, name = dotted.split(".")
    for key in path:
        conf = block(conf, key) or {}
    return conf.get(name)
