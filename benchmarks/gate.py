"""The two README commands as a new user meets them: on a fresh clone with an empty HOME (no
journey-guard, uv, pip or Terraform plugin cache; every download included), and the gate again with
nothing changed (every test re-run: pytest keeps no results between runs here).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.plans import fresh_clone, run_nox
from journey_guard import bench

SUITE = "gate"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="uja-bench-gate-") as tmp:
        clone, env = fresh_clone(Path(tmp))
        cold = bench.record(SUITE, "cold_gate_fresh_clone", run_nox(clone, env, "gate"), "s", goal="<= 180 s")
        warm = bench.record(SUITE, "warm_gate_nothing_changed", run_nox(clone, env, "gate"), "s", goal="<= 60 s")
    with tempfile.TemporaryDirectory(prefix="uja-bench-tests-") as tmp:
        clone, env = fresh_clone(Path(tmp))
        tests = bench.record(SUITE, "cold_tests_fresh_clone", run_nox(clone, env, "tests"), "s", goal="<= 300 s")
    print(f"gate: cold {cold['value']:.0f}s, warm {warm['value']:.0f}s; tests cold {tests['value']:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
