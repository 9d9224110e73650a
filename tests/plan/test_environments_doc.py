"""docs/environments.md: generated from the plans (stale = fail) and consistent with section 2 of the spec."""

from __future__ import annotations

import re
from pathlib import Path

from journey_guard.paths import REPO
from journey_guard.terraform import envdiff
from tests.support.plans import ENVIRONMENTS

SPEC = REPO / "docs" / "system.md"
_NAMES = re.compile(r"`(\w+)`")


def section_2(spec: Path = SPEC) -> dict[str, dict[str, str]]:
    """Variable -> environment -> its value, from the spec's table (``a / b`` rows split); the header
    names the environments (the spec's three: an added one has no column there)."""
    text = spec.read_text()
    body = text[text.index("## 2.") : text.index("## 3.")]
    out: dict[str, dict[str, str]] = {}
    header = next(line for line in body.splitlines() if line.startswith("| variable |"))
    envs = [c.strip() for c in header.strip().strip("|").split("|")][1:4]
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) < 4:
            continue
        names = _NAMES.findall(cells[0].split(" (")[0])  # not the notes in parentheses
        per_env = [cell.split(" / ") for cell in cells[1:4]]
        assert all(len(v) == len(names) for v in per_env), f"{spec}: row {line!r} has {len(names)} variables"
        for i, name in enumerate(names):
            out[name] = {env: v[i] for env, v in zip(envs, per_env, strict=True)}
    assert out, f"{spec}: no table in section 2"
    return out


def doc_rows(doc: Path = envdiff.DOC) -> list[tuple[list[str], str]]:
    """Each table row of the doc: its cells, and its *from* cell."""
    rows = []
    for line in doc.read_text().splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append((cells, cells[-1]))
    return rows


def test_environments_doc_is_generated_from_the_current_plans() -> None:
    fresh = envdiff.render(ENVIRONMENTS).markdown()
    assert envdiff.DOC.read_text() == fresh, "docs/environments.md is stale: python -m journey_guard.terraform.plans diff --write"


def test_every_spec_difference_appears_and_every_row_traces_to_one() -> None:
    spec = section_2()
    differing = {name for name, values in spec.items() if len(set(values.values())) > 1}
    named: set[str] = set()
    for cells, source in doc_rows():
        before_reason = source.split("(derived:")[0]
        variables = set(_NAMES.findall(before_reason))
        assert variables, f"docs/environments.md: {cells[0]} {cells[1]} traces to no variable"
        assert variables <= differing, f"{cells[0]}: {variables - differing} are not section-2 variables whose values differ"
        if "(derived:" in source:
            assert len(source.split("(derived:")[1].strip(" )")) > 10, f"{cells[0]}: a derived row needs its reason"
        named |= variables
    assert differing <= named, f"section 2 says these differ, docs/environments.md shows no difference: {sorted(differing - named)}"


def test_direct_rows_carry_the_spec_values() -> None:
    """Where an attribute is set straight from one variable, its values are the spec's (nulls aside)."""
    spec, envs = section_2(), len(ENVIRONMENTS)
    checked = 0
    for cells, source in doc_rows():
        names = _NAMES.findall(source)
        if "(derived:" in source or len(names) != 1 or len(cells) != envs + 3:
            continue
        expected = spec[names[0]]
        shown = dict(zip(ENVIRONMENTS, (c.strip("`") for c in cells[2 : 2 + envs]), strict=True))
        shown = {env: shown[env] for env in expected}
        if "null" in expected.values():
            continue  # Lambda shows "unreserved" as -1
        assert shown == expected, f"{cells[0]} {cells[1]}: {shown} in docs/environments.md, {expected} in section 2 ({names[0]})"
        checked += 1
    assert checked >= 20
