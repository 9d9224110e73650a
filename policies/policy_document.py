"""One model of an IAM policy document, used by every check on HCL and on plans.

A document is read from an attribute's value (JSON text, or the dict a plan renders) into
statements whose every form is normalised: ``Principal`` / ``NotPrincipal`` as ``"*"``,
``{"AWS": "*"}``, strings or lists per principal type; ``Action`` / ``NotAction``;
``Resource`` / ``NotResource``; and each condition as (operator, key, values) with its
``...IfExists`` suffix and ``ForAnyValue:`` / ``ForAllValues:`` qualifier split out.

On top of the model, the two questions the checks ask:

* **who can act** (``opens_to_everyone``, ``unguarded_services``): a statement for every
  principal is open unless a condition really identifies the caller or its origin; a service
  principal in a resource-based policy needs ``aws:SourceAccount`` / ``aws:SourceArn`` (or, in a
  key policy, the service's documented encryption-context key) against the confused deputy;
* **what can be done** (``wildcard_actions``, ``wildcard_resources``): wildcards in identity
  policies outside the forms that stay scoped to one named resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from checkov.common.util.consts import TRUE_AFTER_UNKNOWN

# What checkov leaves of a reference it could not render: "${...}" or a bare "var.x" / "aws_x.y.arn".
REFERENCE = re.compile(
    r"\$\{|(?<![\w/.-])(var|local|module|data|each|count|self)\.[A-Za-z_]|^[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*(\[[^\]]*\])?\.[a-z_]+$"
)
WILDCARD = re.compile(r"[*?]")
QUALIFIERS = ("ForAnyValue", "ForAllValues")
# Operators under which a value means "the key must match this": only these can identify a caller.
MATCHING_OPERATORS = {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}


def is_unresolved(raw: Any) -> bool:
    """A reference checkov could not render on HCL, or a value only known after apply on a plan."""
    return raw == TRUE_AFTER_UNKNOWN or (isinstance(raw, str) and REFERENCE.search(raw) is not None)


def as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list | tuple) else [raw]


@dataclass(frozen=True)
class Condition:
    """One key under one operator: ``"ForAnyValue:StringLikeIfExists": {"aws:SourceArn": [...]}``."""

    operator: str  # as written
    key: str  # lower-cased (condition keys are case-insensitive)
    values: tuple[str, ...]

    @property
    def qualifier(self) -> str | None:
        head = self.operator.split(":", 1)[0]
        return head if head in QUALIFIERS else None

    @property
    def if_exists(self) -> bool:
        return self.operator.endswith("IfExists")

    @property
    def base(self) -> str:
        """The operator without qualifier and IfExists, lower-cased: ``stringlike``."""
        base = self.operator.split(":", 1)[1] if self.qualifier else self.operator
        return base.removesuffix("IfExists").lower()

    @property
    def requires_match(self) -> bool:
        """True when a request passes only if its key (present) matches one of the values.

        ``IfExists`` lets a request without the key through; ``ForAllValues`` is true for a
        request without the key (the empty set); negated operators match everything else.
        """
        return self.base in MATCHING_OPERATORS and not self.if_exists and self.qualifier != "ForAllValues" and bool(self.values)


@dataclass(frozen=True)
class Principals:
    """A statement's ``Principal`` (or ``NotPrincipal`` when ``negated``): principal type -> values."""

    by_type: dict[str, tuple[str, ...]]
    negated: bool = False

    @property
    def everyone(self) -> bool:
        """Every principal: ``"*"``, ``{"AWS": "*"}``, a wildcard in an AWS principal, or any NotPrincipal."""
        if self.negated:
            return True
        return any(WILDCARD.search(p) for kind, values in self.by_type.items() if kind in ("*", "AWS") for p in values)

    @property
    def services(self) -> tuple[str, ...]:
        return () if self.negated else tuple(p.lower() for p in self.by_type.get("Service", ()))


def _principals(raw: Any, negated: bool) -> Principals | None:
    if raw is None:
        return None
    if isinstance(raw, dict):
        return Principals({str(kind): tuple(str(p) for p in as_list(v)) for kind, v in raw.items()}, negated)
    values = tuple(str(p) for p in as_list(raw))
    return Principals({"*" if values == ("*",) else "AWS": values}, negated)


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    principals: Principals | None  # Principal or NotPrincipal; None in identity policies
    actions: tuple[str, ...]  # lower-cased
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditions: tuple[Condition, ...]

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def condition(self, key: str) -> list[Condition]:
        return [c for c in self.conditions if c.key == key.lower()]

    def condition_values(self, operator_suffix: str, key: str) -> list[str]:
        """Values of ``key`` under any operator ending in ``operator_suffix`` (e.g. Bool, StringEquals)."""
        return [v.lower() for c in self.condition(key) if c.operator.endswith(operator_suffix) for v in c.values]


def _conditions(raw: Any) -> tuple[Condition, ...]:
    if not isinstance(raw, dict):
        return ()
    out = []
    for operator, body in raw.items():
        for key, values in (body if isinstance(body, dict) else {}).items():
            out.append(Condition(str(operator), str(key).lower(), tuple(str(v) for v in as_list(values))))
    return tuple(out)


def _strings(raw: Any) -> Iterator[str]:
    if isinstance(raw, str):
        yield raw
    elif isinstance(raw, dict):
        for k, v in raw.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(raw, list):
        for v in raw:
            yield from _strings(v)


def document(raw: Any) -> dict[str, Any] | None:
    """A policy document from an attribute's value (JSON text or rendered dict); None when unresolved."""
    while isinstance(raw, list) and len(raw) == 1:
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
    if any(s == TRUE_AFTER_UNKNOWN or is_unresolved(s) for s in _strings(raw)):
        return None
    return raw


def statements(doc: dict[str, Any]) -> list[Statement]:
    out = []
    for i, raw in enumerate(as_list(doc.get("Statement"))):
        if not isinstance(raw, dict):
            continue
        principal = _principals(raw.get("Principal"), False) if "Principal" in raw else _principals(raw.get("NotPrincipal"), True)
        out.append(
            Statement(
                sid=str(raw.get("Sid") or f"#{i}"),
                effect=str(raw.get("Effect", "")),
                principals=principal,
                actions=tuple(str(a).lower() for a in as_list(raw.get("Action"))),
                not_actions=tuple(str(a).lower() for a in as_list(raw.get("NotAction"))),
                resources=tuple(str(r) for r in as_list(raw.get("Resource"))),
                not_resources=tuple(str(r) for r in as_list(raw.get("NotResource"))),
                conditions=_conditions(raw.get("Condition")),
            )
        )
    return out


def parse(raw: Any) -> list[Statement] | None:
    """The statements of an attribute's policy document; None when any part is not known."""
    doc = document(raw)
    return None if doc is None else statements(doc)


# --- ARNs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(*parts[1:])

    @property
    def scoped_segments(self) -> bool:
        """No wildcard in partition, service, region or account, and a concrete (or no) account id."""
        fixed = (self.partition, self.service, self.region, self.account)
        return not any(WILDCARD.search(s) for s in fixed) and (self.account == "" or ACCOUNT.match(self.account) is not None)


ACCOUNT = re.compile(r"^\d{12}$")
# Services whose ARN's resource part starts with the resource's own name, not its type.
NAME_FIRST_SERVICES = {"s3"}
SEPARATOR = re.compile(r"[/:]")


def scoped_resource(text: str) -> bool:
    """A resource an identity policy may name: an ARN with concrete service, region and account whose
    resource part is concrete except one trailing ``*`` after a concrete name and a separator
    (``log-group:NAME:*``, ``bucket/prefix/*``). ``key/*`` passes here only through ``kms_alias_scoped``."""
    arn = Arn.parse(text)
    if arn is None or not arn.scoped_segments:
        return False
    head, star = (arn.resource[:-1], True) if arn.resource.endswith("*") else (arn.resource, False)
    if WILDCARD.search(head):
        return False
    if not star:
        return bool(head)
    if not head or not SEPARATOR.match(head[-1]):
        return False
    names = [s for s in SEPARATOR.split(head[:-1]) if s]
    # ``type/*`` (processing-job/*) names no resource; S3's ``bucket/*`` starts with the bucket's name.
    return len(names) >= (1 if arn.service in NAME_FIRST_SERVICES else 2)


def kms_alias_scoped(st: Statement, resource: str) -> bool:
    """``key/*`` limited to named aliases (kms:ResourceAliases / kms:RequestAlias): the keys are unknown before apply."""
    arn = Arn.parse(resource)
    if arn is None or arn.service != "kms" or arn.resource != "key/*" or not arn.scoped_segments:
        return False
    aliases = [c for key in ("kms:resourcealiases", "kms:requestalias") for c in st.condition(key)]
    return any(c.requires_match and c.qualifier != "ForAllValues" and not any(WILDCARD.search(v) for v in c.values) for c in aliases)


# --- who can act -------------------------------------------------------------------------------

ACCOUNT_KEYS = {"aws:sourceaccount", "aws:principalaccount"}
ORG_KEYS = {"aws:sourceorgid", "aws:principalorgid"}
ARN_KEYS = {"aws:sourcearn", "aws:principalarn"}
VPC_KEYS = {"aws:sourcevpc": re.compile(r"^vpc-[0-9a-f]+$"), "aws:sourcevpce": re.compile(r"^vpce-[0-9a-f]+$")}
IDENTIFYING_KEYS = ACCOUNT_KEYS | ORG_KEYS | ARN_KEYS | set(VPC_KEYS)
# Keys that tie a service principal's request to this account's resources (confused deputy).
SOURCE_KEYS = {"aws:sourceaccount", "aws:sourcearn"}
ORG = re.compile(r"^o-[a-z0-9]{10,32}$")
# The encryption-context key each service documents for its key-policy statement, by the first
# label of its principal (logs.<region>.amazonaws.com, cloudtrail.amazonaws.com).
ENCRYPTION_CONTEXT_KEYS = {
    "logs": "kms:encryptioncontext:aws:logs:arn",
    "cloudtrail": "kms:encryptioncontext:aws:cloudtrail:arn",
}


def concrete_value(key: str, text: str) -> bool:
    """Whether ``text`` names one account, organization, VPC, endpoint or an ARN in one account."""
    if key in ACCOUNT_KEYS:
        return ACCOUNT.match(text) is not None
    if key in ORG_KEYS:
        return ORG.match(text) is not None
    if key in VPC_KEYS:
        return VPC_KEYS[key].match(text) is not None
    arn = Arn.parse(text)
    if arn is None or WILDCARD.search(arn.partition + arn.service + arn.account):
        return False
    if arn.account:
        return ACCOUNT.match(arn.account) is not None  # a wildcard region stays in the one account
    return bool(arn.resource) and WILDCARD.match(arn.resource) is None  # S3: the bucket name must be concrete


def identifies(st: Statement, keys: Iterable[str]) -> bool:
    """A condition on one of ``keys`` that every request must satisfy with concrete values."""
    wanted = set(keys)
    return any(c.key in wanted and c.requires_match and all(concrete_value(c.key, v) for v in c.values) for c in st.conditions)


def _encryption_context_key(service: str) -> str | None:
    return ENCRYPTION_CONTEXT_KEYS.get(service.split(".", 1)[0])


def opens_to_everyone(st: Statement) -> bool:
    """An Allow for every principal that no condition narrows to an identified caller or origin."""
    return st.allows and st.principals is not None and st.principals.everyone and not identifies(st, IDENTIFYING_KEYS)


def unguarded_services(st: Statement, key_policy: bool) -> list[str]:
    """Service principals of an Allow in a resource-based policy without confused-deputy protection."""
    if not st.allows or st.principals is None or st.principals.everyone:
        return []
    if identifies(st, SOURCE_KEYS):
        return []
    out = []
    for service in st.principals.services:
        context = _encryption_context_key(service) if key_policy else None
        if context is None or not _context_in_account(st, context):
            out.append(service)
    return out


def _context_in_account(st: Statement, key: str) -> bool:
    return any(c.requires_match and all(concrete_value("aws:sourcearn", v) for v in c.values) for c in st.condition(key))
