"""Plan-test timings: bare ``terraform plan`` per environment, the helper's cold render per
environment, the plan-test session cold and warm, and ``terraform init`` of the plan template.

Every cold number uses a fresh plan cache (``UJA_PLAN_CACHE_DIR`` in a temp dir), so the user's
cache is neither read nor disturbed. "Cold session" is the plan-test session over the three
environment plans; the tests that render plans of their own (negative cases, invalidation,
switches off, longest name suffix) run afterwards and are timed separately, as the goal says.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from journey_guard import bench, hermetic, plans, tf
from journey_guard.paths import REPO, TERRAFORM_DIR

SUITE = "plans"
TEST_TFVARS = REPO / "tests" / "plan" / "test.tfvars"
# Tests that render plans besides the three environment plans (deselected from the cold session).
EXTRA_PLAN_TESTS = "invalid_values or misses or switch or names_fit or second_render"


def _pytest(*args: str, cache: Path) -> float:
    env = {**os.environ, **tf.terraform_env(), "UJA_PLAN_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "pytest", "tests/plan", "-n", "2", "-q", "-p", "no:cacheprovider", *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    # pytest exits 5 when -k deselects everything; anything else but 0 is a failed benchmark run.
    if proc.returncode not in (0, 5):
        raise SystemExit(f"bench plans: pytest {' '.join(args)} failed:\n{proc.stdout[-3000:]}")
    return elapsed


def _bare_plans(work: Path) -> dict[str, float]:
    """``terraform plan`` per environment in one initialised copy: what an engineer runs by hand."""
    env = plans.plan_env()
    seconds = {}
    for name in plans.ENVIRONMENTS:
        start = time.perf_counter()
        tf.run(
            work,
            "plan",
            "-input=false",
            "-no-color",
            "-refresh=false",
            "-lock=false",
            f"-var-file=environments/{name}.tfvars",
            f"-var-file={TEST_TFVARS}",
            env=env,
        )
        seconds[name] = time.perf_counter() - start
    return seconds


def _init_seconds(tmp: Path) -> tuple[float, float]:
    """Init of a fresh template (plugin cache warm), then the reuse every render does instead."""
    work = tmp / "init" / "terraform"
    shutil.copytree(TERRAFORM_DIR, work, ignore=shutil.ignore_patterns(".terraform"))
    (work / hermetic.OVERRIDE_FILE).write_text(hermetic.BACKEND_OVERRIDE)
    start = time.perf_counter()
    with tf.init_lock():
        tf.run(work, "init", "-input=false", "-no-color", "-lockfile=readonly")
    cold = time.perf_counter() - start
    start = time.perf_counter()
    shutil.copytree(plans.initialised_template(TERRAFORM_DIR), tmp / "reuse" / ".terraform", symlinks=True)
    return cold, time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="uja-bench-plans-") as tmp_name:
        tmp = Path(tmp_name)
        init_cold, init_warm = _init_seconds(tmp)
        bench.record(SUITE, "terraform_init_plan_template", init_cold, "s")
        bench.record(SUITE, "terraform_init_reused", init_warm, "s", baseline=init_cold)

        # The same tree, overrides and artifacts the helper plans, prepared by hand once.
        work = plans.copy(plans.root_inputs(TERRAFORM_DIR, artifacts=REPO / "build"), tmp / "bare").tree
        plans.prepare(plans.root_inputs(work, artifacts=REPO / "build"))
        bare = _bare_plans(work)
        bare_total = sum(bare.values())
        for name, seconds in bare.items():
            bench.record(SUITE, f"bare_terraform_plan_{name}", seconds, "s")

        os.environ["UJA_PLAN_CACHE_DIR"] = str(tmp / "cold-renders")
        for name in plans.ENVIRONMENTS:
            start = time.perf_counter()
            plans.render(name, tfvars=[TEST_TFVARS])
            bench.record(SUITE, f"cold_render_{name}", time.perf_counter() - start, "s", baseline=bare[name])

        cache = tmp / "session"
        cold = _pytest("-k", f"not ({EXTRA_PLAN_TESTS})", cache=cache)
        bench.record(SUITE, "cold_session_vs_3_bare_plans", cold, "s", baseline=bare_total, goal="<= 1.3x baseline")
        extra = _pytest("-k", EXTRA_PLAN_TESTS, cache=cache)
        bench.record(SUITE, "cold_extra_plans_session", extra, "s")
        # Re-render whatever edits to terraform/ since the cold runs invalidated, then time a warm run.
        _pytest(cache=cache)
        warm = _pytest(cache=cache)
        bench.record(SUITE, "warm_session", warm, "s", goal="< 5 s")
    print(
        f"plans: bare {bare_total:.1f}s ({', '.join(f'{k} {v:.1f}' for k, v in bare.items())}); cold session {cold:.1f}s "
        f"({cold / bare_total:.2f}x); extra plans {extra:.1f}s; warm {warm:.1f}s; init {init_cold:.1f}s / reuse {init_warm:.3f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
