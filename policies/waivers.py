"""``policies/waivers.yaml``: the one reviewed place where a finding may be accepted.

An entry: ``{id, resource, environments, reason, owner}`` plus either ``expires`` (a date) or
``spec_ref`` (the spec section that makes it permanent). ``resource`` is the plan address,
``environments`` a list of names or ``all``. A malformed, expired, reasonless or unused waiver is
itself a finding: the gate fails on it. Dates are injected (``today``) so tests need no clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policies.catalog import Rule, register

WAIVERS_PATH = Path(__file__).resolve().parent / "waivers.yaml"
REQUIRED = ("id", "resource", "environments", "reason", "owner")
ALLOWED = {*REQUIRED, "expires", "spec_ref"}
# ``environments: all``: every environment of the policy config, those added later included.
EVERY_ENVIRONMENT = "all"
POLICY_ID = re.compile(r"^(UJA_[A-Z]+_\d{3}|CKV2?_[A-Z]+_\d+)$")
INVALID = register(
    Rule(
        "UJA_WAIVER_001",
        "Waivers must be complete, reasoned and unexpired",
        "HIGH",
        "A waiver without owner, reason or an end date (or the spec section that makes it permanent) accepts risk nobody owns.",
        "Complete the entry in policies/waivers.yaml (id, resource, environments, reason, owner, expires or spec_ref), renew it with a new review, or fix the finding and delete it.",
    )
)
UNUSED = register(
    Rule(
        "UJA_WAIVER_002",
        "Waivers must match a finding",
        "MEDIUM",
        "A waiver that accepts nothing hides the next regression on that resource.",
        "Delete the entry from policies/waivers.yaml (the finding it accepted is gone), or correct its id, resource or environments.",
    )
)


@dataclass(frozen=True)
class Waiver:
    index: int
    id: str
    resource: str
    environments: tuple[str, ...]
    reason: str
    owner: str
    expires: dt.date | None
    spec_ref: str | None

    def covers(self, rule_id: str, resource: str, environment: str | None) -> bool:
        return self.id == rule_id and self.resource == resource and (environment is None or environment in self.environments)


@dataclass(frozen=True)
class Problem:
    """A waiver entry the gate rejects (INVALID) or found no use for (UNUSED)."""

    rule: Rule
    index: int
    message: str


class WaiverFileError(ValueError):
    """The waivers file cannot be read at all (YAML syntax, wrong top-level shape)."""


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def load(path: Path = WAIVERS_PATH) -> list[Any]:
    try:
        raw = yaml.safe_load(path.read_text()) if path.exists() else {"waivers": []}
    except (OSError, yaml.YAMLError) as exc:
        raise WaiverFileError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("waivers", []), list):
        raise WaiverFileError(f"{path}: expected a mapping with a 'waivers' list")
    return raw.get("waivers") or []


def validate(entries: list[Any], today: dt.date, environments: set[str]) -> tuple[list[Waiver], list[Problem]]:
    """Parse entries; return the usable waivers and a problem for every entry that is not."""
    valid: list[Waiver] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        where = f"waivers[{i}]"
        if not isinstance(entry, dict):
            problems.append(Problem(INVALID, i, f"{where}: must be a mapping"))
            continue
        where = f"waivers[{i}] ({entry.get('id', '?')} on {entry.get('resource', '?')})"
        errors = [f"missing {key}" for key in REQUIRED if entry.get(key) in (None, "", [])]
        errors += [f"unknown field {key}" for key in sorted(set(entry) - ALLOWED)]
        reason = entry.get("reason")
        if isinstance(reason, str) and len(reason.split()) < 3:
            errors.append("reason must say why in words (at least three)")
        if entry.get("id") and not POLICY_ID.match(str(entry["id"])):
            errors.append(f"id {entry['id']!r} is not a policy id (UJA_<AREA>_<NNN> or a checkov CKV id)")
        envs = entry.get("environments")
        if envs == EVERY_ENVIRONMENT:
            envs = sorted(environments)
        elif envs is not None and (not isinstance(envs, list) or not all(isinstance(e, str) for e in envs)):
            errors.append(f"environments must be a list of environment names or {EVERY_ENVIRONMENT}")
        elif envs:
            errors += [f"unknown environment {e!r}" for e in envs if e not in environments]
        expires, spec_ref = entry.get("expires"), entry.get("spec_ref")
        if (expires is None) == (spec_ref is None):
            errors.append("needs exactly one of expires (YYYY-MM-DD) or spec_ref")
        elif expires is not None:
            date = _date(expires)
            if date is None:
                errors.append(f"expires {expires!r} is not a YYYY-MM-DD date")
            elif date < today:
                errors.append(f"expired on {date.isoformat()}")
        if errors:
            problems.append(Problem(INVALID, i, f"{where}: {'; '.join(errors)}"))
            continue
        valid.append(
            Waiver(i, str(entry["id"]), str(entry["resource"]), tuple(envs), str(reason), str(entry["owner"]), _date(expires), spec_ref)
        )
    return valid, problems


def unused(waivers: list[Waiver], used: set[int], scanned: set[str]) -> list[Problem]:
    """Waivers for environments this run scanned that accepted no finding."""
    return [
        Problem(
            UNUSED,
            w.index,
            f"waivers[{w.index}] ({w.id} on {w.resource}): matched no finding in {', '.join(sorted(set(w.environments) & scanned))}",
        )
        for w in waivers
        if w.index not in used and set(w.environments) & scanned
    ]


def entry_lines(path: Path) -> dict[int, int]:
    """waivers[i] -> its line in the file (1-based), for reports that point at the entry."""
    try:
        root = yaml.compose(path.read_text())
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, node in root.value:
        if key.value == "waivers" and isinstance(node, yaml.SequenceNode):
            return {i: item.start_mark.line + 1 for i, item in enumerate(node.value)}
    return {}
