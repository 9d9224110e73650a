"""Integration benchmark: one whole moto cycle (apply, scenarios, re-plan, destroy, leak check).

Runs ``pytest tests/integration --target moto --env <env>`` (default dev) in a child process and
records the step times the session writes to ``build/integration/timings-<env>.json`` (``drift``: the
seconds tests/integration/test_4_drift.py adds, its re-apply included). Goal from
issue 12: the whole cycle under 5 minutes on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from journey_guard.bench import record
from journey_guard.paths import BUILD_DIR, REPO

SUITE = "integration"
GOAL_TOTAL_S = 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.integration", description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", choices=["dev", "staging", "prod"])
    args = parser.parse_args(argv)
    timings_file = BUILD_DIR / "integration" / f"timings-{args.env}.json"
    timings_file.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/integration", "--target", "moto", "--env", args.env, "-q"], cwd=REPO, check=False
    )
    if not timings_file.exists():
        print(f"bench integration: the run wrote no {timings_file} (pytest exit {proc.returncode})", file=sys.stderr)
        return 1
    timings = json.loads(timings_file.read_text())
    for step in ("apply", "replan", "drift", "destroy", "leak_check"):
        if step in timings:
            record(SUITE, f"{args.env}_{step}_s", timings[step], "s")
    record(SUITE, f"{args.env}_cycle_s", timings["total"], "s", goal=f"< {GOAL_TOTAL_S} s")
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
