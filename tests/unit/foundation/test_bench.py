"""Benchmark result files: one per suite, merged into bench.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journey_guard.quality import bench


def test_record_replaces_a_metric_and_computes_the_ratio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path)
    bench.record("plans", "cold", 10.0, "s", baseline=8.0, goal="<= 1.3x")
    bench.record("plans", "cold", 12.0, "s", baseline=8.0, goal="<= 1.3x")
    records = json.loads((tmp_path / "plans.json").read_text())
    assert [(r["metric"], r["value"], r["ratio"]) for r in records] == [("cold", 12.0, 1.5)]


def test_merge_joins_suites_and_names_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"suite": "a", "metric": "m", "value": 1, "unit": "s"}]))
    (tmp_path / "b.json").write_text(json.dumps([{"suite": "b", "metric": "m", "value": 2, "unit": "ms"}]))
    merged = bench.merge(tmp_path, tmp_path.parent / "out.json")
    assert [r["suite"] for r in merged] == ["a", "b"]
    assert "suite" in bench.table(merged).splitlines()[0]
    (tmp_path / "c.json").write_text(json.dumps([{"suite": "c", "value": 2}]))
    with pytest.raises(SystemExit, match=r"c\.json record 0 lacks \['metric', 'unit'\]"):
        bench.merge(tmp_path, tmp_path.parent / "out.json")
