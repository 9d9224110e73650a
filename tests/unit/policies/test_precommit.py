"""pre-commit: other repositories run the gate from .pre-commit-hooks.yaml (tried with ``pre-commit
try-repo`` in a temporary repository); this repository's .pre-commit-config.yaml is valid."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from journey_guard.paths import REPO, cache_dir

pytestmark = pytest.mark.slow
PLAIN = 'resource "aws_sqs_queue" "plain" {\n  name                    = "plain"\n  sqs_managed_sse_enabled = true\n}\n'


def pre_commit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # try-repo installs the hook's environment (checkov from PyPI) into a fresh store each time:
    # pre-commit-uv makes that a uv install from uv's cache. Certificates and proxies pass through; an
    # outer git's variables (this may run inside a hook) and nox's venv pointers (uv would install there) do not.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "UV_", "VIRTUAL_ENV"))}
    env |= {"PRE_COMMIT_HOME": str(cache_dir("pre-commit")), "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=900)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True, capture_output=True)


def test_other_repositories_run_the_gate_through_try_repo(tmp_path: Path) -> None:
    repo = tmp_path / "team-infra"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "main.tf").write_text(PLAIN)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")

    failed = pre_commit("try-repo", str(REPO), "journey-guard-policy", "--all-files", cwd=repo)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "FAILED UJA_ENC_005 [HIGH] aws_sqs_queue.plain (hcl) at infra/main.tf:1" in failed.stdout
    assert "--no-plans" in failed.stdout  # HCL only: no plan, no moto, no Terraform needed


def test_hook_manifest_and_this_repository_s_config_are_valid() -> None:
    assert pre_commit("validate-manifest", ".pre-commit-hooks.yaml", cwd=REPO).returncode == 0
    config = pre_commit("validate-config", ".pre-commit-config.yaml", cwd=REPO)
    assert config.returncode == 0, config.stdout + config.stderr
