"""docs/coverage.md: every fact of docs/spec-facts.yaml, its value and what proves it.

    python -m journey_guard.quality.coverage            # writes docs/coverage.md
    python -m journey_guard.quality.coverage --check    # exit 1 when it is stale or a fact has no proof

Proofs are found without running anything: the spec tags of the plan inventories
(``tests/plan/inventory/*.yaml``, ``!spec:<fact id>``) and the ``@pytest.mark.spec("<fact id>")``
markers of the tests (``journey_guard.quality.spec_facts`` reads them from the source). A fact of layer
``plan``, ``unit`` or ``integration`` must be proven under ``tests/<layer>/``; a marker or tag
naming no fact is an error, and so is a quote that ``docs/system.md`` does not hold.

Imports only the standard library and PyYAML.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from journey_guard.paths import REPO
from journey_guard.quality import spec_facts
from journey_guard.terraform import inventory

FACTS = spec_facts.FACTS_FILE
SPEC = spec_facts.SPEC_FILE
COVERAGE = REPO / "docs" / "coverage.md"
TESTS = REPO / "tests"
INVENTORIES = TESTS / "plan" / "inventory"
LAYERS = spec_facts.LAYERS
COMMAND = "python -m journey_guard.quality.coverage"


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
    """Every fact by id, as ``spec_facts.load`` checks them (fields, unique ids, quotes the spec holds)."""
    try:
        data = spec_facts.load(path, spec)
    except spec_facts.FactsError as exc:
        raise CoverageError(str(exc)) from exc
    return {f["id"]: Fact(f["id"], layer, f["section"], f["quote"], f.get("value")) for layer in LAYERS for f in data[layer]}


def marker_proofs(tests: Path = TESTS) -> list[Proof]:
    """Every ``pytest.mark.spec`` of the test files, as ``tests/<layer>/test_y.py::test_name`` proofs."""
    return [Proof(fact, where, _layer(where)) for fact, found in spec_facts.spec_markers(tests).items() for where in found]


def _layer(where: str) -> str:
    parts = Path(where.split("::")[0]).parts
    parts = parts[1:] if parts[:1] == ("tests",) else parts
    return parts[0] if len(parts) > 1 else ""


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
