"""The reviewed list of the spec's facts (docs/spec-facts.yaml) and the tests that claim them.

``load()`` reads the list and rejects what would make it worthless: an unknown layer, a fact
without id, section or quote, a duplicate id, or a quote that is not text of docs/system.md.
``spec_markers()`` finds every ``@pytest.mark.spec("<id>")`` under a test directory (on the test or
on one of its ``pytest.param`` cases) by reading
the source (no import, no collection), so a fact's tests are known without running them.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from journey_guard.paths import REPO

FACTS_FILE = REPO / "docs" / "spec-facts.yaml"
SPEC_FILE = REPO / "docs" / "system.md"
LAYERS = ("plan", "unit", "integration")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class FactsError(ValueError):
    """docs/spec-facts.yaml is wrong; the message names the file, the layer and the fact."""


def load(path: Path = FACTS_FILE, spec: Path = SPEC_FILE) -> dict[str, list[dict[str, Any]]]:
    """The facts by layer, each checked against the spec's text."""
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise FactsError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or set(data) != set(LAYERS):
        raise FactsError(f"{path}: top-level keys must be exactly {', '.join(LAYERS)}")
    text = spec.read_text()
    seen: dict[str, str] = {}
    for layer in LAYERS:
        facts = data[layer] or []
        if not isinstance(facts, list):
            raise FactsError(f"{path}: {layer}: expected a list of facts")
        data[layer] = facts
        for n, fact in enumerate(facts):
            where = f"{path}: {layer}[{n}]"
            if not isinstance(fact, dict):
                raise FactsError(f"{where}: expected a mapping")
            fid = fact.get("id")
            if not isinstance(fid, str) or not SLUG.match(fid):
                raise FactsError(f"{where}: id {fid!r} is not a lower-case slug")
            where = f"{path}: {layer} fact {fid!r}"
            if fid in seen:
                raise FactsError(f"{where}: id already used in {seen[fid]}")
            seen[fid] = layer
            unknown = set(fact) - {"id", "section", "quote", "value"}
            if unknown:
                raise FactsError(f"{where}: unknown field(s) {sorted(unknown)}")
            for field in ("section", "quote"):
                if not isinstance(fact.get(field), str) or not fact[field].strip():
                    raise FactsError(f"{where}: field {field!r} must be non-empty text")
            # A quote may wrap where the spec's lines wrap: whitespace runs compare as one space.
            if " ".join(fact["quote"].split()) not in " ".join(text.split()):
                raise FactsError(f"{where}: quote is not text of {spec.name}: {fact['quote']!r}")
    return data


def _spec_ids(decorator: ast.expr) -> list[str]:
    """The ids of a ``pytest.mark.spec("a", ...)`` or ``mark.spec(...)`` decorator, else []."""
    if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and decorator.func.attr == "spec":
        owner = decorator.func.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "mark") or (isinstance(owner, ast.Name) and owner.id == "mark"):
            return [a.value for a in decorator.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return []


def spec_markers(directory: Path) -> dict[str, list[str]]:
    """fact id -> the tests (``path::name``, relative to the repository) marked with it."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(directory.rglob("test_*.py")):
        name = path.relative_to(REPO if path.is_relative_to(REPO) else directory)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                # Walk each decorator whole: pytest.param(..., marks=pytest.mark.spec(...)) counts too.
                ids = {fid for decorator in node.decorator_list for sub in ast.walk(decorator) for fid in _spec_ids(sub)}
                for fid in sorted(ids):
                    found[fid].append(f"{name}::{node.name}")
    return dict(found)
