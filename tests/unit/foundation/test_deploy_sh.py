"""terraform/deploy.sh refuses bad input before it touches Terraform or an account."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from journey_guard.terraform import environments
from tests.support.deploy_sh import DEPLOY, fake_terraform


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(DEPLOY), *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "expected <environment> <action>, got 0 argument"),
        (("dev",), "expected <environment> <action>, got 1 argument"),
        (
            ("qa", "plan"),
            f"environment must be one of {', '.join(environments.names())} (environments/<env>.tfvars and <env>-backend.hcl), not 'qa'",
        ),
        (("integration", "plan"), "not 'integration'"),
        (("../environments/dev", "plan"), "not '../environments/dev'"),
        (("dev", "deploy"), "deploy"),
        (("--bogus", "dev", "plan"), "unknown option: --bogus"),
        (("--moto",), "--moto needs an endpoint URL"),
        (("--name-suffix", "Bad_Suffix", "dev", "plan"), "Bad_Suffix"),
        (("--name-suffix", "toolongsuffix", "dev", "plan"), "toolongsuffix"),
        (("--auto-approve", "dev", "plan"), "--auto-approve"),
        (("--moto", "not-a-url", "dev", "plan"), "not-a-url"),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_it(args: tuple[str, ...], message: str) -> None:
    proc = _run(*args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "usage:" in proc.stderr or "deploy.sh:" in proc.stderr


def test_help_prints_usage_and_succeeds() -> None:
    proc = _run("--help")
    assert proc.returncode == 0
    assert "usage:" in proc.stderr + proc.stdout


@pytest.mark.parametrize(("flags", "approved"), [((), False), (("--auto-approve",), True)])
def test_destroy_is_auto_approved_only_when_asked(tmp_path: Path, flags: tuple[str, ...], approved: bool) -> None:
    env, log = fake_terraform(tmp_path)
    proc = subprocess.run(
        ["bash", str(DEPLOY), *flags, "dev", "destroy"], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 0, proc.stderr
    destroy = [line for line in log.read_text().splitlines() if " destroy" in line]
    assert len(destroy) == 1, log.read_text()
    assert ("-auto-approve" in destroy[0]) is approved
    assert "environments/dev.tfvars" in destroy[0]
