"""Plan timings against a floor measured in the same run.

The floor: a bare ``terraform plan -refresh=false -out`` + ``show -json`` per environment, by hand in
one initialised copy of the same tree with the same inputs and the same override file (so
``max_retries = 1`` too). Against it:

- ``cold_render_<env>``: the helper's render with an empty plan cache (copy, key, plan, show, store);
- ``cold_plan_tests_session``: ``./run nox -s plan_tests`` in a fresh clone with an empty HOME (no
  journey-guard, uv, pip or plugin cache: venv, downloads, build and every render included), against
  the three bare plans;
- ``warm_plan_tests_session``: the same session again, nothing changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from journey_guard.paths import BUILD_DIR, REPO
from journey_guard.quality import bench
from journey_guard.terraform import environments, plans, tf

SUITE = "plans"
TEST_TFVARS = REPO / "tests" / "plan" / "test.tfvars"


def _bare(work: Path, var_files: list[str]) -> float:
    """plan -out + show -json, as an engineer would run them in a prepared copy."""
    env = plans.plan_env()
    start = time.perf_counter()
    tf.run(
        work,
        "plan",
        "-input=false",
        "-no-color",
        "-refresh=false",
        "-lock=false",
        "-out=bare.tfplan",
        *(f"-var-file={f}" for f in var_files),
        env=env,
    )
    tf.run(work, "show", "-json", "bare.tfplan", env=env)
    return time.perf_counter() - start


def fresh_clone(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A clone of this repository's HEAD and an environment whose HOME holds no cache at all."""
    clone, home = tmp / "clone", tmp / "home"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UJA_", "NOX", "VIRTUAL_ENV", "XDG_CACHE", "UV_", "PIP_"))}
    # Not this session's venv: the clone's ./run finds the machine's python3, as a new user's would.
    venv = os.environ.get("VIRTUAL_ENV")
    path = [d for d in os.environ["PATH"].split(os.pathsep) if not (venv and d.startswith(venv))]
    env.update(HOME=str(home), PATH=os.pathsep.join(path))
    return clone, env


def run_nox(clone: Path, env: dict[str, str], session: str, *posargs: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        ["./run", "nox", "-s", session, *(["--", *posargs] if posargs else [])],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench: nox -s {session} failed in {clone}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return elapsed


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="uja-bench-plans-") as tmp_name:
        tmp = Path(tmp_name)
        bare = {}
        for name in environments.names():
            inputs = plans.copy(plans.make_inputs(name, tfvars=[TEST_TFVARS], artifacts=BUILD_DIR), tmp / "bare" / name)
            var_files = plans.prepare(inputs)
            bare[name] = _bare(inputs.tree, var_files)
            bench.record(SUITE, f"bare_plan_and_show_{name}", bare[name], "s")
        bare_total = sum(bare.values())

        os.environ["UJA_PLAN_CACHE_DIR"] = str(tmp / "cold-renders")
        for name in environments.names():
            start = time.perf_counter()
            plans.render(name, tfvars=[TEST_TFVARS])
            goal = "<= 1.15x baseline" if name == "dev" else None
            bench.record(SUITE, f"cold_render_{name}", time.perf_counter() - start, "s", baseline=bare[name], goal=goal)
        del os.environ["UJA_PLAN_CACHE_DIR"]

        clone, env = fresh_clone(tmp)
        cold = run_nox(clone, env, "plan_tests")
        bench.record(SUITE, "cold_plan_tests_session", cold, "s", baseline=bare_total, goal="<= 2x baseline")
        warm = run_nox(clone, env, "plan_tests")
        bench.record(SUITE, "warm_plan_tests_session", warm, "s")
        shutil.rmtree(clone, ignore_errors=True)
    print(
        f"plans: bare {bare_total:.1f}s ({', '.join(f'{k} {v:.1f}' for k, v in bare.items())}); cold session {cold:.1f}s ({cold / bare_total:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
