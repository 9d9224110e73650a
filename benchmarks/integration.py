"""Integration benchmark: one whole moto cycle (apply, scenarios, re-plan, destroy, leak check).

Runs the integration layer as its nox session does (``pytest tests/integration --target moto --env
<env>``, default dev) in a child process, times it whole, and records the step times it writes to
``build/integration/timings-<env>.json`` (with the apply's critical path). ``drift`` is the seconds
tests/integration/test_4_drift.py adds, its re-apply included: the goals are the speed issue's plus it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from journey_guard.paths import BUILD_DIR, REPO
from journey_guard.quality.bench import record
from journey_guard.terraform import environments

SUITE = "integration"
GOAL_CYCLE_S = 80
GOAL_SESSION_S = 120


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.integration", description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", choices=environments.names())
    args = parser.parse_args(argv)
    timings_file = BUILD_DIR / "integration" / f"timings-{args.env}.json"
    timings_file.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "tests/integration",
        "--target",
        "moto",
        "--env",
        args.env,
        "-q",
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, check=False)
    session = time.perf_counter() - start
    if not timings_file.exists():
        print(f"bench integration: the run wrote no {timings_file} (pytest exit {proc.returncode})", file=sys.stderr)
        return 1
    timings = json.loads(timings_file.read_text())
    for step in ("apply", "replan", "drift", "destroy", "leak_check"):
        if step in timings:
            record(SUITE, f"{args.env}_{step}_s", timings[step], "s")
    drift = timings.get("drift", 0.0)
    record(SUITE, f"{args.env}_cycle_s", timings["total"], "s")
    record(SUITE, f"{args.env}_cycle_without_drift_s", timings["total"] - drift, "s", goal=f"<= {GOAL_CYCLE_S} s")
    record(SUITE, f"{args.env}_session_without_drift_s", session - drift, "s", goal=f"<= {GOAL_SESSION_S} s")
    for span in timings.get("apply_critical_path", []):
        print(f"critical path: {span['address']} from {span['start']:.1f} s, {span['seconds']:.1f} s")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
