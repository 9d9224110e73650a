"""The two README commands as a new user meets them: on a fresh clone with an empty HOME (no
journey-guard, uv, pip or Terraform plugin cache; every download included), and the gate again with
nothing changed (every test re-run: pytest keeps no results between runs here). The warm gate's
floor is the same gate with its sessions one after another (``-- --jobs 1``), measured in the same
run; each session's own seconds inside each run are recorded too (``build/sessions/summary.json``).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from benchmarks.plans import fresh_clone, run_nox
from journey_guard.quality import bench

SUITE = "gate"


def _sessions(clone: Path, run: str) -> None:
    for session in json.loads((clone / "build" / "sessions" / "summary.json").read_text())["sessions"]:
        bench.record(SUITE, f"{run}_{session['session']}_s", session["seconds"], "s")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="uja-bench-gate-") as tmp:
        clone, env = fresh_clone(Path(tmp))
        cold = bench.record(SUITE, "cold_gate_fresh_clone", run_nox(clone, env, "gate"), "s", goal="<= 180 s")
        _sessions(clone, "cold_gate")
        one_by_one = bench.record(SUITE, "warm_gate_one_session_at_a_time", run_nox(clone, env, "gate", "--jobs", "1"), "s")
        _sessions(clone, "warm_gate_one_at_a_time")
        warm = bench.record(
            SUITE, "warm_gate_nothing_changed", run_nox(clone, env, "gate"), "s", baseline=one_by_one["value"], goal="<= 60 s"
        )
        _sessions(clone, "warm_gate")
    with tempfile.TemporaryDirectory(prefix="uja-bench-tests-") as tmp:
        clone, env = fresh_clone(Path(tmp))
        tests = bench.record(SUITE, "cold_tests_fresh_clone", run_nox(clone, env, "tests"), "s", goal="<= 300 s")
        _sessions(clone, "cold_tests")
    print(f"gate: cold {cold['value']:.0f}s, warm {warm['value']:.0f}s; tests cold {tests['value']:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
