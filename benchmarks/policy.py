"""Policy gate timings: each environment, and the whole gate against one bare checkov run.

Runs in the policy virtualenv (``nox -s bench_policy``). Every number is the wall time of a fresh
process, start-up included, as a reviewer's CI sees it. Plans come from the plan cache (warmed first,
untimed: rendering is the plan tests' cost). The baseline is ``checkov -d terraform --framework
terraform`` on the same tree in the same run; bare and whole-gate runs alternate and each keeps
its best of ``--repeat`` so a neighbour's burst of load does not decide the ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from journey_guard.paths import REPO, TERRAFORM_DIR
from journey_guard.quality import bench
from journey_guard.terraform import toolchain
from policies import config, plans

SUITE = "policy"
GOAL_RATIO = 2.0


def _timed(cmd: list[str], env: dict[str, str], ok: tuple[int, ...]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"bench policy: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.policy", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of the bare checkov and the whole gate (best kept)")
    args = parser.parse_args(argv)
    env = {**os.environ, **toolchain.ensure().env()}
    cfg = config.load()
    environments = list(cfg.environments)
    with tempfile.TemporaryDirectory() as tmp:
        plans.render(TERRAFORM_DIR, environments, cfg.plan_tfvars, Path(tmp))

    checkov = str(Path(sys.executable).with_name("checkov"))
    bare_cmd = [checkov, "-d", str(TERRAFORM_DIR), "--framework", "terraform", "--quiet", "--compact"]
    gate_cmd = [sys.executable, "-m", "policies", "check", str(TERRAFORM_DIR), "--format", "cli"]
    # checkov exits 1 when built-in checks fail; the gate exits 1 on findings: both are timings here.
    bare_runs, whole_runs = [], []
    for _ in range(args.repeat):
        bare_runs.append(_timed(bare_cmd, env, (0, 1)))
        whole_runs.append(_timed([*gate_cmd, "--env", "all"], env, (0, 1)))
    bare, whole = min(bare_runs), min(whole_runs)
    per_env = {name: _timed([*gate_cmd, "--env", name], env, (0, 1)) for name in environments}

    bench.record(SUITE, "checkov_bare_terraform_s", bare, "s")
    bench.record(SUITE, "gate_all_environments_s", whole, "s", baseline=bare, goal=f"<= {GOAL_RATIO:g}x baseline")
    for name, seconds in per_env.items():
        bench.record(SUITE, f"gate_{name}_s", seconds, "s", baseline=bare)
    print(f"bare checkov {bare:.2f}s (runs {', '.join(f'{t:.2f}' for t in bare_runs)})")
    print(f"whole gate {whole:.2f}s (runs {', '.join(f'{t:.2f}' for t in whole_runs)}): {whole / bare:.2f}x bare (goal <= {GOAL_RATIO:g}x)")
    print("per environment: " + ", ".join(f"{n} {t:.2f}s" for n, t in per_env.items()) + f"; {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
