"""What every UJA_ policy shares: its catalogue entry, the checkov base class, and value helpers.

A check sees a resource's configuration the way checkov hands it over, on HCL and on a plan alike:
every attribute wrapped in a list, nested blocks as lists of dicts, references on HCL as
``${...}`` strings, and values unknown until apply as ``true_after_unknown`` on plans (the gate sets
``EVAL_TF_PLAN_AFTER_UNKNOWN``). Checks answer UNKNOWN (no finding, no pass) when what they need is
not resolved, and the plan scan, where IAM documents are fully known, has the last word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.common.util.consts import TRUE_AFTER_UNKNOWN
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from policies.catalog import CATALOG, SEVERITIES, Rule, register  # noqa: F401  (re-exported: checks import them from here)


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
        verdict = self.evaluate(conf)
        if verdict is None:
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if verdict else CheckResult.FAILED

    def evaluate(self, conf: dict[str, list[Any]]) -> bool | None:
        """True: compliant; False: a finding; None: not decidable from this configuration."""
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


# What checkov leaves of a reference it could not render: "${...}" or a bare "var.x" / "aws_x.y.arn".
REFERENCE = re.compile(
    r"\$\{|(?<![\w/:.-])(var|local|module|data|each|count|self)\.[A-Za-z_]|^[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*(\[[^\]]*\])?\.[a-z_]+$"
)


def is_unresolved(raw: Any) -> bool:
    """A reference checkov could not render on HCL, or a value only known after apply on a plan."""
    return raw == TRUE_AFTER_UNKNOWN or (isinstance(raw, str) and REFERENCE.search(raw) is not None)


def is_set(raw: Any) -> bool:
    return raw not in (None, "", [], {})


def flag(conf: dict[str, Any], key: str) -> bool | None:
    """A boolean attribute: True/False, or None when unresolved or absent."""
    raw = value(conf, key)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return None


def number(conf: dict[str, Any], key: str) -> int | None:
    raw = value(conf, key)
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return int(raw)
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw)
    return None


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


# --- IAM policy documents -------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: dict[str, tuple[str, ...]] | None
    not_principals: bool
    conditions: dict[str, dict[str, Any]]

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def condition_keys(self) -> set[str]:
        return {key.lower() for body in self.conditions.values() if isinstance(body, dict) for key in body}

    def condition_values(self, operator_suffix: str, key: str) -> list[str]:
        """Values of ``key`` under any operator ending in ``operator_suffix`` (e.g. Bool, StringEquals)."""
        found: list[str] = []
        for operator, body in self.conditions.items():
            if not operator.endswith(operator_suffix) or not isinstance(body, dict):
                continue
            for k, v in body.items():
                if k.lower() == key.lower():
                    found += [str(x).lower() for x in _as_list(v)]
        return found


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list | tuple) else [raw]


def _principals(raw: Any) -> dict[str, tuple[str, ...]] | None:
    if raw is None:
        return None
    if raw == "*":
        return {"*": ("*",)}
    if isinstance(raw, dict):
        return {str(kind): tuple(str(p) for p in _as_list(v)) for kind, v in raw.items()}
    return {"?": tuple(str(p) for p in _as_list(raw))}


def policy_document(raw: Any) -> dict[str, Any] | None:
    """A policy document from an attribute's value (JSON text or rendered dict); None when unresolved."""
    raw = value({"v": raw}, "v")
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, str):
        if is_unresolved(raw):
            return None
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, dict) or "Statement" not in raw:
        return None
    text = json.dumps(raw)
    if TRUE_AFTER_UNKNOWN in text or any(is_unresolved(v) for v in _strings(raw)):
        return None
    return raw


def _strings(raw: Any) -> Iterable[str]:
    if isinstance(raw, str):
        yield raw
    elif isinstance(raw, dict):
        for v in raw.values():
            yield from _strings(v)
    elif isinstance(raw, list):
        for v in raw:
            yield from _strings(v)


def statements(doc: dict[str, Any]) -> list[Statement]:
    out = []
    for i, raw in enumerate(_as_list(doc.get("Statement"))):
        if not isinstance(raw, dict):
            continue
        out.append(
            Statement(
                sid=str(raw.get("Sid") or f"#{i}"),
                effect=str(raw.get("Effect", "")),
                actions=tuple(str(a).lower() for a in _as_list(raw.get("Action"))),
                not_actions=tuple(str(a).lower() for a in _as_list(raw.get("NotAction"))),
                resources=tuple(str(r) for r in _as_list(raw.get("Resource"))),
                not_resources=tuple(str(r) for r in _as_list(raw.get("NotResource"))),
                principals=_principals(raw.get("Principal")),
                not_principals="NotPrincipal" in raw,
                conditions=raw.get("Condition") or {},
            )
        )
    return out


def wildcard_principal(st: Statement) -> bool:
    """``"Principal": "*"`` or ``{"AWS": "*"}``: anyone, unless conditions narrow it."""
    return st.not_principals or any("*" in values for values in (st.principals or {}).values())


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
    doc = policy_document(conf.get(key))
    return None if doc is None else statements(doc)


def inline_policies(conf: dict[str, Any]) -> Iterable[Any]:
    """The ``inline_policy`` blocks' documents of an ``aws_iam_role``."""
    for item in blocks(conf, "inline_policy"):
        if "policy" in item:
            yield item["policy"]


IDENTITY_POLICY_RESOURCES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role")


def identity_statements(entity_type: str, conf: dict[str, Any]) -> list[Statement] | None:
    """The statements of an identity policy resource (a role's inline_policy blocks included); None if any is unresolved."""
    documents = list(inline_policies(conf)) if entity_type == "aws_iam_role" else [conf.get("policy")]
    found: list[Statement] = []
    for raw in documents:
        doc = policy_document(raw)
        if doc is None:
            return None
        found += statements(doc)
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
