"""docs/coverage.md: every fact of docs/spec-facts.yaml, its value and what proves it.

    python -m journey_guard.coverage            # writes docs/coverage.md
    python -m journey_guard.coverage --check    # exit 1 when it is stale or a fact has no proof

Proofs are found without running anything: the spec tags of the plan inventories
(``tests/plan/inventory/*.yaml``, ``!spec:<fact id>``) and the ``@pytest.mark.spec("<fact id>")``
markers of the tests (decorators and module ``pytestmark``, read with ``ast``). A fact of layer
``plan``, ``unit`` or ``integration`` must be proven under ``tests/<layer>/``; a marker or tag
naming no fact is an error, and so is a quote that ``docs/system.md`` does not hold.

Imports only the standard library and PyYAML.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from journey_guard import inventory
from journey_guard.paths import REPO

FACTS = REPO / "docs" / "spec-facts.yaml"
SPEC = REPO / "docs" / "system.md"
COVERAGE = REPO / "docs" / "coverage.md"
TESTS = REPO / "tests"
INVENTORIES = TESTS / "plan" / "inventory"
LAYERS = ("plan", "unit", "integration")
FIELDS = {"id", "section", "quote", "value"}
MARKER = "spec"
COMMAND = "python -m journey_guard.coverage"


class CoverageError(inventory.InventoryError):
    """The facts file, a marker or a tag is malformed, or a fact unproven; the message names each."""


@dataclass(frozen=True)
class Fact:
    """One entry of docs/spec-facts.yaml; ``layer`` is the top-level key it is listed under."""

    id: str
    layer: str
    section: str
    quote: str
    value: Any = None


@dataclass(frozen=True)
class Proof:
    fact: str
    where: str  # repo-relative file (and test or inventory path)
    layer: str  # the tests/<layer>/ it lives in


def load_facts(path: Path = FACTS, spec: Path = SPEC) -> dict[str, Fact]:
    """Every fact by id, checked: known fields, unique ids, quotes that the spec holds."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CoverageError(f"{path}: cannot read the facts: {exc}") from exc
    if not isinstance(data, dict) or set(data) - set(LAYERS):
        raise CoverageError(f"{path}: top-level keys must be {', '.join(LAYERS)}")
    text = inventory.normalise(spec.read_text())
    facts: dict[str, Fact] = {}
    problems = []
    for layer in LAYERS:
        for i, entry in enumerate(data.get(layer) or []):
            where = f"{layer}[{i}]"
            if not isinstance(entry, dict) or not {"id", "section", "quote"} <= set(entry) or set(entry) - FIELDS:
                problems.append(f"{where}: needs id, section, quote (and optionally value), found {entry!r}")
                continue
            fact = Fact(str(entry["id"]), layer, str(entry["section"]), str(entry["quote"]), entry.get("value"))
            if fact.id in facts:
                problems.append(f"{where}: id {fact.id!r} is already used in {facts[fact.id].layer}")
            if inventory.normalise(fact.quote) not in text:
                problems.append(f"{where} ({fact.id}): quote not in {spec.name}: {fact.quote!r}")
            facts[fact.id] = fact
    if problems:
        raise CoverageError(f"{path}:\n  " + "\n  ".join(problems))
    return facts


def _layer(path: Path, tests: Path) -> str:
    rel = path.relative_to(tests)
    return rel.parts[0] if len(rel.parts) > 1 else ""


def _spec_ids(node: ast.expr) -> Iterator[str]:
    """Fact ids of ``pytest.mark.spec("a", "b")`` (or ``mark.spec``) inside ``node``."""
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == MARKER:
            owner = call.func.value
            if (isinstance(owner, ast.Attribute) and owner.attr == "mark") or (isinstance(owner, ast.Name) and owner.id == "mark"):
                for arg in call.args:
                    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                        raise CoverageError(f"line {call.lineno}: pytest.mark.spec takes fact ids as string literals")
                    yield arg.value


def marker_proofs(tests: Path = TESTS) -> list[Proof]:
    """Every ``pytest.mark.spec`` of the test files, as ``tests/x/test_y.py::test_name`` proofs."""
    proofs = []
    for path in sorted(tests.rglob("test_*.py")):
        rel = path.relative_to(tests.parent).as_posix()
        try:
            tree = ast.parse(path.read_text(), filename=str(path))
        except SyntaxError as exc:
            raise CoverageError(f"{rel}: {exc}") from exc
        layer = _layer(path, tests)
        module_ids: list[str] = []
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
                module_ids.extend(_spec_ids(node.value))
        for fact in module_ids:
            proofs.append(Proof(fact, rel, layer))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                for decorator in node.decorator_list:
                    for fact in _spec_ids(decorator):
                        proofs.append(Proof(fact, f"{rel}::{node.name}", layer))
    return proofs


def inventory_proofs(directory: Path = INVENTORIES) -> list[Proof]:
    """Every spec tag of the plan inventories, as ``tests/plan/inventory/x.yaml: values.<address>.<path>``
    (a tag of an included file is listed once, under the file that holds it)."""
    proofs = []
    for path in sorted(directory.glob("*.yaml")):
        rel = path.relative_to(REPO).as_posix()
        for fact, where, mark in inventory.references(inventory.load_file(path)):
            if mark.rsplit(":", 1)[0] == path.name:
                proofs.append(Proof(fact, f"{rel}: {where}", "plan"))
    return proofs


def collect(facts: Mapping[str, Fact], proofs: list[Proof]) -> dict[str, list[Proof]]:
    """Proofs per fact; raises on a proof of an unknown fact, in another layer, or a fact without proof."""
    by_fact: dict[str, list[Proof]] = {fid: [] for fid in facts}
    problems = []
    for proof in proofs:
        fact = facts.get(proof.fact)
        if fact is None:
            problems.append(f"{proof.where}: {proof.fact!r} is not a fact of {FACTS.relative_to(REPO)}")
        elif proof.layer != fact.layer:
            problems.append(f"{proof.where}: {proof.fact!r} is a {fact.layer} fact: prove it under tests/{fact.layer}/")
        else:
            by_fact[proof.fact].append(proof)
    missing = [f"{fid} ({facts[fid].layer})" for fid, found in by_fact.items() if not found]
    if missing:
        problems.append(f"facts without a test or inventory value: {', '.join(missing)}")
    if problems:
        raise CoverageError("\n  ".join(["spec coverage:", *problems]))
    return by_fact


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    return text.replace("|", "\\|").replace("\n", " ")


def _proofs(proofs: list[Proof]) -> Iterator[str]:
    """Tests one per line; inventory values per file: the first and how many more."""
    per_file: dict[str, list[str]] = {}
    # Values first: they say more than a count.
    for proof in sorted(proofs, key=lambda p: (": counts." in p.where, p.where)):
        name, _, path = proof.where.partition(": ")
        per_file.setdefault(name, []).append(path)
    for name, paths in per_file.items():
        more = f" (+{len(paths) - 1})" if len(paths) > 1 else ""
        yield f"`{name}`" + (f" `{_cell(paths[0])}`{more}" if paths[0] else "")


def render(facts: Mapping[str, Fact], by_fact: Mapping[str, list[Proof]]) -> str:
    lines = [
        "# Spec coverage",
        "",
        f"Generated by `{COMMAND}` from `docs/spec-facts.yaml` (the reviewed list of the facts of",
        "[`system.md`](system.md)), the spec tags of the plan inventories (`tests/plan/inventory/`) and the",
        "`@pytest.mark.spec` markers of the tests. Do not edit: `tests/unit/test_coverage.py` fails when this",
        "file is stale or a fact has no proof. A plan row is proven by `nox -s plan_tests`, a unit row by",
        "`nox -s unit`, an integration row by `nox -s integration`.",
        "",
    ]
    totals = {layer: sum(1 for f in facts.values() if f.layer == layer) for layer in LAYERS}
    lines.append(" · ".join(f"{layer}: {n} facts" for layer, n in totals.items()) + f" · {sum(len(p) for p in by_fact.values())} proofs")
    section = None
    for fact in facts.values():
        if (fact.layer, fact.section) != section:
            section = (fact.layer, fact.section)
            lines += ["", f"## {fact.layer}: {fact.section}", "", "| fact | value | proven by |", "|---|---|---|"]
        proofs = "<br>".join(_proofs(by_fact[fact.id]))
        lines.append(f"| `{fact.id}`: {_cell(inventory.normalise(fact.quote))} | {_cell(fact.value)} | {proofs} |")
    return "\n".join(lines) + "\n"


def generate() -> str:
    facts = load_facts()
    return render(facts, collect(facts, [*inventory_proofs(), *marker_proofs()]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description="Write docs/coverage.md from docs/spec-facts.yaml and the tests.")
    parser.add_argument("--check", action="store_true", help="fail when docs/coverage.md is not what would be written")
    args = parser.parse_args(argv)
    try:
        text = generate()
    except inventory.InventoryError as exc:  # CoverageError too
        print(exc, file=sys.stderr)
        return 1
    if args.check:
        if not COVERAGE.is_file() or COVERAGE.read_text() != text:
            print(f"{COVERAGE.relative_to(REPO)} is stale: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    COVERAGE.write_text(text)
    print(f"wrote {COVERAGE.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
