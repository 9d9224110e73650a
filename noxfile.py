"""Every job of journey-guard is a nox session; their names are an interface (CI and users call them).

nox -s gate    the pre-merge gate: lint, unit, policy and plan_tests over every environment (terraform/environments/)
nox -s tests   every layer, integration against a local moto server included
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

REPO = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))

from journey_guard.paths import sha256_file  # noqa: E402  (needs the repo on sys.path first)
from journey_guard.quality import parallel  # noqa: E402
from journey_guard.terraform import environments  # noqa: E402
from journey_guard.terraform import toolchain as tf_toolchain  # noqa: E402

nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["gate"]

DEV_REQUIREMENTS = "requirements/dev.txt"
POLICY_REQUIREMENTS = "requirements/policy.txt"


def _install(session: nox.Session, requirements: str) -> None:
    """Install a locked requirements file, skipping the work when the venv already has it."""
    stamp = Path(session.virtualenv.location) / ".requirements.sha256"
    digest = sha256_file(REPO / requirements)
    if stamp.exists() and stamp.read_text() == digest:
        return
    session.install("--require-hashes", "-r", requirements)
    stamp.write_text(digest)


def _terraform(session: nox.Session) -> None:
    """Export the generated CLI config (and friends) so Terraform finds the provider mirror."""
    try:
        chain = tf_toolchain.ensure()
    except tf_toolchain.ToolchainError as exc:
        session.error(str(exc))
    session.env.update(chain.env())


def _policy_python(session: nox.Session) -> Path:
    """The python of a virtualenv beside the session's with the policy requirements (checkov's pins),
    for sessions that run the policy gate in a subprocess (mutants, new_environment share it)."""
    venv = Path(session.virtualenv.location).with_name("mutants-policy")
    python = venv / "bin" / "python"
    digest = sha256_file(REPO / POLICY_REQUIREMENTS)
    stamp = venv / ".requirements.sha256"
    if not stamp.exists() or stamp.read_text() != digest:
        session.run_install("uv", "venv", "--allow-existing", "--python", Path(session.bin) / "python", venv, external=True)
        session.run_install("uv", "pip", "install", "--python", python, "--require-hashes", "-r", POLICY_REQUIREMENTS, external=True)
        stamp.write_text(digest)
    return python


def _build(session: nox.Session) -> None:
    session.run("python", "-m", "journey_guard.terraform.build")


def _prepare(session: nox.Session, requirements: str) -> None:
    """What a session that plans or deploys needs: its locked dependencies, the toolchain, the artifacts."""
    _install(session, requirements)
    _terraform(session)
    _build(session)


@nox.session(venv_backend="none")
def toolchain(session: nox.Session) -> None:
    """Find the Terraform CLI and provider mirror; write the project CLI config (build/toolchain/)."""
    _terraform(session)
    session.log(f"TF_CLI_CONFIG_FILE={session.env['TF_CLI_CONFIG_FILE']}")


@nox.session
def build(session: nox.Session) -> None:
    """Build the Lambda zips, model artifacts, Flink job and pipeline script into build/ (deterministic)."""
    _install(session, DEV_REQUIREMENTS)
    _build(session)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, terraform fmt and validate, and the GitHub workflows against their schema."""
    _install(session, DEV_REQUIREMENTS)
    _terraform(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("terraform", "fmt", "-check", "-recursive", "terraform", external=True)
    _build(session)
    session.run("python", "-m", "journey_guard.terraform.tf", "validate", "terraform", "terraform/bootstrap")
    workflows = sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    actions = sorted(str(p) for p in (REPO / ".github" / "actions").glob("*/action.yml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-actions", *actions)


@nox.session
def unit(session: nox.Session) -> None:
    """Handler logic, models, contracts and schemas: pure and fast, hypothesis and moto."""
    _install(session, DEV_REQUIREMENTS)
    session.run("pytest", "tests/unit", "--ignore=tests/unit/policies", "-n", "auto", *session.posargs)


@nox.session
def policy(session: nox.Session) -> None:
    """The policy gate: checkov + policies/ on the HCL and the plan of every environment (own venv: checkov's pins)."""
    _prepare(session, POLICY_REQUIREMENTS)
    # By file: the repository mutations are one module fixture, rendered once, not once per worker.
    session.run("pytest", "tests/unit/policies", "-p", "no:cacheprovider", "-n", "auto", "--dist", "loadfile")
    # In GitHub Actions the gate also annotates the PR (::error lines) and writes the job summary.
    formats = "cli,sarif,junit,markdown,json" + (",github" if os.environ.get("GITHUB_ACTIONS") == "true" else "")
    args = session.posargs or ["--env", "all", "--strict", "--format", formats, "--output-dir", "build/policy"]
    session.run("python", "-m", "policies", "check", "terraform", *args)


@nox.session
def plan_tests(session: nox.Session) -> None:
    """Render terraform plan per environment (tftest, cached) and assert on it."""
    _prepare(session, DEV_REQUIREMENTS)
    session.run("pytest", "tests/plan", "-n", "2", *session.posargs)


@nox.session
def integration(session: nox.Session) -> None:
    """Ephemeral account (moto server by default): apply, drive events, re-plan, destroy, leak check."""
    _prepare(session, DEV_REQUIREMENTS)
    session.run("pytest", "tests/integration", *session.posargs)


@nox.session
def faults(session: nox.Session) -> None:
    """Faults on a small fixture root in moto (killed apply, dead server, failed destroy + sweeper); nightly."""
    _install(session, DEV_REQUIREMENTS)
    _terraform(session)
    session.run("pytest", "tests/faults", *session.posargs)


@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation testing of the harness: every catalogued wrong edit (tests/mutants/) must fail its layer.

    ``-- --all-layers`` builds the full kill matrix, ``-- --changed-since origin/main`` runs the mutants
    of the files a change touches, ``-- --only <glob>`` picks by id. Reports go to build/mutants/.
    """
    _prepare(session, DEV_REQUIREMENTS)
    python = _policy_python(session)
    session.run("python", "-m", "journey_guard.quality.mutants", "--policy-python", str(python), *session.posargs)


@nox.session
def equivalence(session: nox.Session) -> None:
    """Issue 22's refactor changes nothing deployed: both trees' plans, and the old state planned by the new tree on moto (nightly)."""
    _prepare(session, DEV_REQUIREMENTS)
    session.run("pytest", "tests/equivalence", "-p", "no:cacheprovider", *session.posargs)


@nox.session(name="new_environment")
def new_environment(session: nox.Session) -> None:
    """docs/adding-an-environment.md followed for a fourth environment in a temporary copy: its plan tests and policy gate pass (nightly)."""
    _prepare(session, DEV_REQUIREMENTS)
    python = _policy_python(session)
    session.run("pytest", "tests/nightly", "-p", "no:cacheprovider", *session.posargs, env={"UJA_POLICY_PYTHON": str(python)})


@nox.session(name="bench_policy")
def bench_policy(session: nox.Session) -> None:
    """The policy gate's benchmark (runs in the policy venv; part of `bench`)."""
    _prepare(session, POLICY_REQUIREMENTS)
    session.run("python", "-m", "benchmarks.policy")


@nox.session(requires=["bench_policy"])
def bench(session: nox.Session) -> None:
    """Every suite's benchmark; merges build/bench/*.json into build/bench.json and prints a table."""
    _prepare(session, DEV_REQUIREMENTS)
    for suite in sorted((REPO / "benchmarks").glob("*.py")):
        if suite.stem not in {"__init__", "policy"}:
            session.run("python", "-m", f"benchmarks.{suite.stem}")
    session.run("python", "-m", "journey_guard.quality.bench")


GATE = ("lint", "unit", "policy", "plan_tests")


def _side_by_side(session: nox.Session, names: tuple[str, ...]) -> None:
    """Run sessions at once (``-- --jobs N`` caps how many; 1 is one after another); fail if any failed."""
    args = list(session.posargs)
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else None
    outcomes = parallel.run(names, jobs)
    session.log("\n" + parallel.table(outcomes))
    failed = [o.session for o in outcomes if not o.passed]
    if failed:
        session.error(f"failed: {', '.join(failed)} (each session's whole output: build/sessions/<session>.log)")


@nox.session(venv_backend="none")
def gate(session: nox.Session) -> None:
    """The pre-merge gate over every environment: lint, unit, policy, plan_tests, side by side."""
    _side_by_side(session, GATE)
    session.log(f"gate passed for {', '.join(environments.names())}")


@nox.session(venv_backend="none")
def tests(session: nox.Session) -> None:
    """Every test layer side by side, integration against a local moto server included."""
    _side_by_side(session, (*GATE, "integration"))
    session.log("all layers passed")
    # Said loudly, so nobody reads this run as covering them: they take minutes each and run nightly.
    session.warn(
        "NOT RUN HERE (nightly, .github/workflows/nightly.yml): nox -s faults (killed apply, dead server, sweeper)"
        " and nox -s mutants -- --all-layers (the kill matrix; pull requests run the mutants of the files they touch)"
        " and nox -s new_environment (a fourth environment added in a copy: docs/adding-an-environment.md)"
        " and nox -s equivalence (issue 22's refactor changes nothing deployed: both trees' plans, the old state on moto)"
    )
