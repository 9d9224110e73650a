"""Mutation-testing benchmark: seconds per mutant, per layer, and for the whole catalogue.

Runs two mutants of each layer the catalogue uses (unit, plan; policy with ``UJA_POLICY_PYTHON`` or
the bench_policy virtualenv) one after the other, plans rendered cold into a temporary cache.
The first of a layer also pays its selection's baseline on the unmutated tree; the second is the
marginal cost of one more mutant, recorded as ``<layer>_seconds_per_mutant``. The whole catalogue
(``nox -s mutants``, 2 workers) is projected from those and the catalogue's count per layer;
``--all`` runs it instead and records the measured time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from journey_guard.paths import REPO
from journey_guard.quality import bench, mutants

SUITE = "mutants"
WORKERS = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mutants", description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="run the whole catalogue (tens of minutes) instead of projecting it")
    args = parser.parse_args(argv)
    catalogue = mutants.load()
    # `nox -s bench` requires bench_policy, whose virtualenv (checkov) sits beside this session's.
    sibling = Path(sys.executable).parents[2] / "bench_policy" / "bin" / "python"
    policy_python = os.environ.get("UJA_POLICY_PYTHON") or (str(sibling) if sibling.exists() else None)
    counts = Counter(m.layer for m in catalogue)
    with tempfile.TemporaryDirectory(prefix="uja-bench-mutants-") as tmp:
        os.environ["UJA_PLAN_CACHE_DIR"] = str(Path(tmp) / "plans")  # cold renders, as a fresh CI runner has
        runner = mutants.Runner(REPO, sys.executable, policy_python, Path(tmp) / "work")
        runner.work.mkdir()
        if args.all:
            start = time.perf_counter()
            results = mutants.run_all(catalogue, runner, all_layers=False, workers=WORKERS, integration=False)
            totals = mutants.summary(results, time.perf_counter() - start)
            bench.record(SUITE, "catalogue_s", totals["seconds"], "s")
            bench.record(SUITE, "seconds_per_mutant", totals["seconds_per_mutant"], "s")
            bench.record(SUITE, "kill_rate", totals["kill_rate"], "ratio", goal="1.0")
            print(mutants.console(results, totals))
            return 0 if totals["killed"] == totals["mutants"] else 1
        projected = 0.0
        for layer in ("unit", "plan", "policy"):
            sample = [m for m in catalogue if m.layer == layer][:2]
            if len(sample) < 2 or (layer == "policy" and not policy_python):
                print(f"bench mutants: {layer}: skipped ({'no UJA_POLICY_PYTHON' if sample else 'fewer than two mutants'})")
                continue
            first, second = (runner.run(m, all_layers=False, integration=False) for m in sample)
            bench.record(SUITE, f"{layer}_first_mutant_s", first.seconds, "s")
            bench.record(SUITE, f"{layer}_seconds_per_mutant", second.seconds, "s")
            projected += first.seconds + (counts[layer] - 1) * second.seconds
            print(
                f"{layer}: first {first.seconds:.1f} s (with its baseline), then {second.seconds:.1f} s per mutant; {counts[layer]} in the catalogue"
            )
        bench.record(SUITE, "catalogue_projected_s", projected / WORKERS, "s")
        print(f"whole catalogue ({len(catalogue)} mutants, {WORKERS} workers): ~{projected / WORKERS / 60:.0f} min projected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
