"""Gradual adoption, as checkov users know it: select and skip checks, a severity threshold, soft
fail, and a waivers file written from today's findings so a legacy tree starts green.

Everything here works on the gate's outcome: the scan is unchanged, only what fails is decided.
The gate's own findings (``UJA_GATE_*``, ``UJA_WAIVER_*``: unparsable files, inline skips, bad
waivers) are kept by ``--check`` and dropped only when ``--skip-check`` names them.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policies import waivers
from policies.catalog import SEVERITIES
from policies.gate import Finding, Outcome

GATE_PREFIXES = ("UJA_GATE_", "UJA_WAIVER_")
WAIVER_INDEX = re.compile(r"^waivers\[(\d+)\]$")
DEFAULT_EXPIRY_DAYS = 90
HEADER = "# Waivers written by `python -m policies check --write-waivers`: review each; fix or renew it before it expires.\n"


@dataclass(frozen=True)
class Selection:
    """``--check`` / ``--skip-check`` patterns (fnmatch wildcards, case-insensitive) and ``--severity-threshold``."""

    checks: tuple[str, ...] = ()
    skips: tuple[str, ...] = ()
    threshold: str | None = None

    def selects(self, rule_id: str) -> bool:
        rule_id = rule_id.upper()
        if any(fnmatch.fnmatchcase(rule_id, p.upper()) for p in self.skips):
            return False
        return not self.checks or rule_id.startswith(GATE_PREFIXES) or any(fnmatch.fnmatchcase(rule_id, p.upper()) for p in self.checks)

    def blocks(self, severity: str) -> bool:
        """Whether a finding of ``severity`` fails the gate (below the threshold it is only reported)."""
        return self.threshold is None or SEVERITIES.index(severity) <= SEVERITIES.index(self.threshold)


def patterns(raw: list[str] | None) -> tuple[str, ...]:
    """``--check A,B --check C`` -> (A, B, C)."""
    return tuple(p.strip() for item in raw or [] for p in item.split(",") if p.strip())


@dataclass
class Adopted(Outcome):
    """An outcome judged with a selection: findings below the threshold are reported, not failing."""

    selection: Selection = field(default_factory=Selection)

    @property
    def failing(self) -> list[Finding]:
        return [f for f in super().failing if self.selection.blocks(f.severity)]


def select(outcome: Outcome, selection: Selection, waiver_entries: list[object]) -> Adopted:
    """Keep the selected findings; an unused-waiver finding goes with the check its waiver names."""

    def waiver_id(f: Finding) -> str | None:
        match = WAIVER_INDEX.match(f.resource)
        entry = waiver_entries[int(match[1])] if match and int(match[1]) < len(waiver_entries) else None
        return str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else None

    kept = [
        f
        for f in outcome.findings
        if selection.selects(f.rule_id) and not (f.rule_id == waivers.UNUSED.id and (wid := waiver_id(f)) and not selection.selects(wid))
    ]
    return Adopted(outcome.tree, outcome.results, kept, selection)


def waiver_entries(outcome: Outcome, owner: str, expires: dt.date, today: dt.date, environments: list[str]) -> list[dict[str, object]]:
    """Today's failing findings as complete waivers, one per (policy, resource), environments merged.

    A finding of a tree without environments is waived for every configured environment (the
    gate matches such a finding against any). Findings about the waivers file itself are not
    waivable: they are fixed in the file.
    """
    merged: dict[tuple[str, str], dict[str, object]] = {}
    for f in outcome.failing:
        if f.rule_id.startswith("UJA_WAIVER_"):
            continue
        entry = merged.setdefault(
            (f.rule_id, f.resource),
            {
                "id": f.rule_id,
                "resource": f.resource,
                "environments": [],
                "reason": f"Accepted when the gate was adopted on {today.isoformat()}: an existing finding ({f.name}), to be fixed or re-reviewed before it expires.",
                "owner": owner,
                "expires": expires.isoformat(),
            },
        )
        envs: list[str] = entry["environments"]  # type: ignore[assignment]
        for env in [f.environment] if f.environment else environments:
            if env not in envs:
                envs.append(env)
    return list(merged.values())


def write_waivers(path: Path, entries: list[dict[str, object]]) -> int:
    """Add ``entries`` to the waivers file at ``path`` (created when missing); returns how many were new.

    New entries are appended as text, so the file's comments and anchors survive; when that does
    not read back as the same list (``waivers`` is not the block list at the end), the file is
    rewritten with its leading comment kept.
    """
    existing = waivers.load(path)
    seen = {(e.get("id"), e.get("resource")) for e in existing if isinstance(e, dict)}
    new = [e for e in entries if (e["id"], e["resource"]) not in seen]
    if not new:
        return 0
    text = path.read_text() if path.exists() else ""
    items = yaml.safe_dump(new, sort_keys=False, width=120, allow_unicode=True)
    appended = text.rstrip("\n") + "\n" + "".join(f"  {line}\n" for line in items.splitlines())
    try:
        intact = bool(existing) and yaml.safe_load(appended).get("waivers") == [*existing, *new]
    except yaml.YAMLError:
        intact = False
    if not intact:
        comment = "".join(line + "\n" for line in text.splitlines() if line.startswith("#")) or HEADER
        appended = comment + yaml.safe_dump({"waivers": [*existing, *new]}, sort_keys=False, width=120, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(appended)
    return len(new)
