"""Nightly (``nox -s new_environment``, not in the gate): docs/adding-an-environment.md followed step
by step in a temporary copy of the repository, for a fourth environment ``qa`` copied from staging;
the copy's plan tests and policy gate must then pass over four environments, qa among them.

The policy gate runs in checkov's virtualenv: the session passes its python in ``UJA_POLICY_PYTHON``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from journey_guard.paths import BUILD_DIR, REPO
from journey_guard.quality import mutants
from journey_guard.terraform import environments

NEW, SOURCE = "qa", "staging"


def _edit(path: Path, pattern: str, replacement: str, count: int = 1) -> None:
    """Replace ``pattern`` in ``path``, failing unless it occurs exactly ``count`` times (a step that
    silently changes nothing would prove nothing)."""
    text, found = re.subn(pattern, replacement, path.read_text(), flags=re.MULTILINE)
    assert found == count, f"{path}: {pattern!r} found {found} times, expected {count}"
    path.write_text(text)


def add_environment(repo: Path, new: str, source: str) -> None:
    """docs/adding-an-environment.md, steps 1-4 (step 5 regenerates the docs: ``_run`` below)."""
    folder = repo / "terraform" / "environments"
    known = list(environments.names(repo / "terraform"))
    # 1. Its values and its state: environments/<env>.tfvars and <env>-backend.hcl.
    (folder / f"{new}.tfvars").write_text((folder / f"{source}.tfvars").read_text())
    _edit(folder / f"{new}.tfvars", rf'^environment\s*=\s*"{source}"$', f'environment = "{new}"')
    (folder / f"{new}-backend.hcl").write_text((folder / f"{source}-backend.hcl").read_text())
    _edit(folder / f"{new}-backend.hcl", rf"\b{source}\b", new, count=2)  # the bucket in the comment, the key
    # 2. The bootstrap's state bucket: its default list and its inventory.
    _edit(
        repo / "terraform" / "bootstrap" / "variables.tf",
        rf"^(\s*default\s*=\s*){re.escape(json.dumps(known))}$",
        rf"\g<1>{json.dumps(sorted([*known, new]))}",
    )
    inventory = repo / "tests" / "plan" / "inventory"
    # One more of each per-bucket count (bucket, versioning, encryption, ...).
    text, counts = re.subn(
        r"(!spec:bootstrap-state-buckets )(\d+)$",
        lambda m: f"{m[1]}{int(m[2]) + 1}",
        (inventory / "bootstrap.yaml").read_text(),
        flags=re.MULTILINE,
    )
    assert counts >= 7, "bootstrap.yaml: the per-bucket counts were not found"
    (inventory / "bootstrap.yaml").write_text(text)
    _edit(inventory / "bootstrap.yaml", r"^(  state_bucket_names: .*)\}$", rf'\g<1>, {new}: "uja-tfstate-{{account}}-{new}"}}')
    # 3. Its plan inventory.
    (inventory / f"{new}.yaml").write_text((inventory / f"{source}.yaml").read_text())
    _edit(inventory / f"{new}.yaml", rf"^plan: \{{env: {source},", f"plan: {{env: {new},")
    # 4. Its policy thresholds (waivers with `environments: all` cover it already).
    config = repo / "policies" / "config.yaml"
    block = re.search(rf"^  {source}:\n(?:    .*\n)+", config.read_text(), flags=re.MULTILINE)
    assert block, f"{config}: no environments.{source}"
    copied = block[0].replace(f"  {source}:", f"  {new}:", 1).replace(f"environments/{source}.tfvars", f"environments/{new}.tfvars")
    _edit(config, re.escape(block[0]), (block[0] + copied).replace("\\", "\\\\"))


def _run(copy: Path, *args: str, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    # The copy's own code and tree; the build artifacts are the repository's (the copy changes no source).
    env = {**os.environ, "UJA_BUILD_DIR": str(BUILD_DIR), "PYTHONPATH": str(copy)}
    start = time.perf_counter()
    proc = subprocess.run([python, *args], cwd=copy, env=env, capture_output=True, text=True, check=False)
    print(f"[new environment] {' '.join(args[:4])}: exit {proc.returncode} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return proc


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = mutants.copy_tree(REPO, mutants.source_files(REPO), tmp_path_factory.mktemp("repo"))
    add_environment(root, NEW, SOURCE)
    # 5. The generated docs: how the environments differ, and the spec coverage (the inventories changed).
    for step in (["-m", "journey_guard.terraform.plans", "diff", "--write"], ["-m", "journey_guard.quality.coverage"]):
        proc = _run(root, *step)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return root


def test_the_copy_has_four_environments(copy: Path) -> None:
    assert environments.names(copy / "terraform") == ("dev", "prod", NEW, "staging")
    assert environments.names() == ("dev", "prod", "staging"), "the repository itself must not change"
    assert f"| dev | prod | {NEW} | staging |" in (copy / "docs" / "environments.md").read_text()


def test_the_plan_tests_pass_with_the_new_environment(copy: Path) -> None:
    report = copy / "build-plan-junit.xml"
    bootstrap_default = "tests/unit/foundation/test_environments.py::test_the_bootstrap_default_lists_every_environment"
    proc = _run(copy, "-m", "pytest", "tests/plan", bootstrap_default, "-n", "2", "-p", "no:cacheprovider", f"--junitxml={report}")
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    cases = ET.parse(report).getroot().iter("testcase")
    ran = [f"{c.get('classname')}::{c.get('name')}" for c in cases if not any(child.tag == "skipped" for child in c)]
    # The environment-parametrised tests ran for qa too, its inventory among them.
    assert f"tests.plan.test_inventory::test_the_plan_matches_its_inventory[{NEW}]" in ran
    assert len([name for name in ran if f"[{NEW}" in name]) >= 5, ran
    # The bootstrap default names the new environment (its state bucket).
    assert "tests.unit.foundation.test_environments::test_the_bootstrap_default_lists_every_environment" in ran


def test_the_policy_gate_passes_with_the_new_environment(copy: Path) -> None:
    python = os.environ.get("UJA_POLICY_PYTHON")
    assert python, "UJA_POLICY_PYTHON must name the policy virtualenv's python (nox -s new_environment sets it)"
    out = copy / "build-policy"
    args = ["-m", "policies", "check", "terraform", "--env", "all", "--strict", "--format", "cli,json", "--output-dir", str(out)]
    proc = _run(copy, *args, python=python)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    report = json.loads((out / "policy.json").read_text())
    assert report["passed"] and sorted(u["name"] for u in report["units"]) == ["bootstrap", "dev", "prod", NEW, "staging"]
    assert any(f["environment"] == NEW and f["status"] == "WAIVED" for f in report["findings"]), "the `all` waivers cover qa"
