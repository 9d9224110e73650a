"""The policy catalogue without checkov: what ``python -m policies list`` and the docs show.

``Rule``/``CATALOG``/``register`` live here (``policies.base`` re-exports them) so the catalogue can
be read in a bare Python: :func:`static_catalog` reads every rule from the source files (a check
class's ``ID``/``NAME``/``SEVERITY``/``RATIONALE``/``FIX`` or a ``Rule(...)`` call with literal
arguments) without importing checkov. A test holds it equal to the catalogue checkov loads.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
PACKAGE = Path(__file__).resolve().parent
RULE_FIELDS = ("id", "name", "severity", "rationale", "fix")
CLASS_FIELDS = ("ID", "NAME", "SEVERITY", "RATIONALE", "FIX")


@dataclass(frozen=True)
class Rule:
    """A policy's catalogue entry: what the reports show and how to fix a finding."""

    id: str
    name: str
    severity: str
    rationale: str
    fix: str


CATALOG: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.severity not in SEVERITIES:
        raise ValueError(f"{rule.id}: severity {rule.severity!r} is not one of {SEVERITIES}")
    if rule.id in CATALOG and CATALOG[rule.id] != rule:
        raise ValueError(f"policy id {rule.id} is defined twice")
    CATALOG[rule.id] = rule
    return rule


def _literal(node: ast.expr) -> str | None:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _rules_in(tree: ast.Module) -> list[Rule]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            attrs = {
                t.id: _literal(n.value)
                for n in node.body
                if isinstance(n, ast.Assign)
                for t in n.targets
                if isinstance(t, ast.Name) and t.id in CLASS_FIELDS
            }
            if all(attrs.get(k) is not None for k in CLASS_FIELDS):
                found.append(Rule(*(attrs[k] for k in CLASS_FIELDS)))  # type: ignore[arg-type]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Rule":
            args = dict(zip(RULE_FIELDS, [_literal(a) for a in node.args], strict=False))
            args |= {k.arg: _literal(k.value) for k in node.keywords if k.arg}
            if all(args.get(k) is not None for k in RULE_FIELDS):
                found.append(Rule(**args))  # type: ignore[arg-type]
    return found


def static_catalog(package: Path = PACKAGE) -> dict[str, Rule]:
    """Every rule defined under ``package`` (checks, plan checks, the gate's and the waivers' own), by id."""
    rules: dict[str, Rule] = {}
    for path in sorted(package.rglob("*.py")):
        for rule in _rules_in(ast.parse(path.read_text(), str(path))):
            rules[rule.id] = rule
    return dict(sorted(rules.items()))
