"""docs/coverage.md: up to date, every fact proven; and the generator's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from journey_guard.quality import coverage


def test_coverage_md_is_up_to_date_and_every_fact_has_a_proof() -> None:
    text = coverage.generate()  # raises CoverageError naming every fact without a test
    assert coverage.COVERAGE.read_text() == text, f"docs/coverage.md is stale: run {coverage.COMMAND}"


def _facts(tmp_path: Path, body: str, spec: str = "the shard count is 4 in prod\n") -> dict[str, coverage.Fact]:
    (tmp_path / "facts.yaml").write_text(body)
    (tmp_path / "system.md").write_text(spec)
    return coverage.load_facts(tmp_path / "facts.yaml", tmp_path / "system.md")


def test_a_quote_may_wrap_where_the_spec_wraps(tmp_path: Path) -> None:
    ok = "plan:\n  - {id: shards, section: '2', quote: \"shard count\\n   is 4\"}\nunit: []\nintegration: []\n"
    assert set(_facts(tmp_path, ok, "the shard\ncount is 4 in prod\n")) == {"shards"}
    with pytest.raises(coverage.CoverageError, match=r"quote is not text of system\.md"):
        _facts(tmp_path, "plan:\n  - {id: shards, section: '2', quote: 'shard count is 5'}\nunit: []\nintegration: []\n")


def test_markers_name_their_layer(tmp_path: Path) -> None:
    unit = tmp_path / "tests" / "unit"
    unit.mkdir(parents=True)
    (unit / "test_x.py").write_text("import pytest\n@pytest.mark.spec('a', 'b')\ndef test_one(): ...\n")
    proofs = {(p.fact, p.where, p.layer) for p in coverage.marker_proofs(tmp_path / "tests")}
    assert proofs == {("a", "unit/test_x.py::test_one", "unit"), ("b", "unit/test_x.py::test_one", "unit")}


def test_unknown_facts_proofs_in_another_layer_and_unproven_facts_fail(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path,
        "plan:\n  - {id: p, section: s, quote: shard}\n  - {id: q, section: s, quote: shard}\nunit:\n  - {id: u, section: s, quote: shard}\nintegration: []\n",
    )
    proofs = [
        coverage.Proof("p", "tests/plan/test_a.py::t", "plan"),
        coverage.Proof("u", "tests/plan/test_a.py::t", "plan"),
        coverage.Proof("zz", "tests/unit/test_b.py::t", "unit"),
    ]
    with pytest.raises(coverage.CoverageError) as err:
        coverage.collect(facts, proofs)
    text = str(err.value)
    assert "'u' is a unit fact: prove it under tests/unit/" in text
    assert "'zz' is not a fact" in text
    assert "facts without a test or inventory value: q (plan), u (unit)" in text
    assert coverage.collect({k: v for k, v in facts.items() if k == "p"}, proofs[:1]) == {"p": proofs[:1]}
