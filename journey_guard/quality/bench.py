"""Benchmark results: each suite writes ``build/bench/<suite>.json``; ``merge`` joins them.

A record is ``{"suite", "metric", "value", "unit", "baseline", "goal", "machine"}``: ``baseline`` is the
value it is compared with (measured in the same run), or null; ``goal`` a short text such as
``"<= 1.3x baseline"`` or ``"< 300 ms"``, or null. ``ratio`` is value / baseline when both exist.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from journey_guard.paths import BUILD_DIR

BENCH_DIR = BUILD_DIR / "bench"


def record(suite: str, metric: str, value: float, unit: str, baseline: float | None = None, goal: str | None = None) -> dict:
    """Add (or replace) one metric in the suite's result file and return the record."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{suite}.json"
    records = [r for r in (json.loads(path.read_text()) if path.exists() else []) if r["metric"] != metric]
    rec = {"suite": suite, "metric": metric, "value": round(float(value), 6), "unit": unit, "baseline": baseline, "goal": goal}
    # The machine and its load when the figure was taken: a number is read with them.
    rec["machine"] = {"cpus": os.cpu_count(), "load_1m": round(os.getloadavg()[0], 2)}
    if baseline:
        rec["ratio"] = round(float(value) / float(baseline), 3)
    records.append(rec)
    path.write_text(json.dumps(sorted(records, key=lambda r: r["metric"]), indent=2) + "\n")
    return rec


def merge(bench_dir: Path = BENCH_DIR, out: Path | None = None) -> list[dict]:
    """Join every suite file into ``bench.json`` (sorted by suite, metric) and return the records."""
    records: list[dict] = []
    for path in sorted(bench_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError as exc:
            raise SystemExit(f"bench: {path} is not valid JSON: {exc}") from exc
        for i, rec in enumerate(data):
            missing = {"suite", "metric", "value", "unit"} - rec.keys()
            if missing:
                raise SystemExit(f"bench: {path} record {i} lacks {sorted(missing)}")
        records += data
    records.sort(key=lambda r: (r["suite"], r["metric"]))
    (out or bench_dir.parent / "bench.json").write_text(json.dumps(records, indent=2) + "\n")
    return records


def table(records: list[dict]) -> str:
    rows = [("suite", "metric", "value", "unit", "baseline", "ratio", "goal", "load")]
    for r in records:
        base = "" if r.get("baseline") is None else f"{r['baseline']:.4g}"
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}x"
        load = "" if not r.get("machine") else f"{r['machine']['load_1m']:.1f}/{r['machine']['cpus']}"
        rows.append((r["suite"], r["metric"], f"{r['value']:.4g}", r["unit"], base, ratio, r.get("goal") or "", load))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def main() -> int:
    records = merge()
    print(table(records))
    print(f"\n{len(records)} results -> {BENCH_DIR.parent / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
