"""terraform/deploy.sh refuses bad input before it touches Terraform or an account."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.terraform import environments

DEPLOY = TERRAFORM_DIR / "deploy.sh"


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


def _fake_terraform(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A terraform on PATH that records its arguments; the account comes from UJA_ACCOUNT_ID."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    fake = bin_dir / "terraform"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexit 0\n')
    fake.chmod(0o755)
    build = tmp_path / "build"
    (build / "lambda").mkdir(parents=True)
    (build / "lambda" / "event-processor.zip").write_bytes(b"zip")
    cli_config = tmp_path / "cli.tfrc"
    cli_config.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "UJA_ACCOUNT_ID": "123456789012",
        "UJA_BUILD_DIR": str(build),
        "UJA_CACHE_DIR": str(tmp_path / "cache"),
        "TF_CLI_CONFIG_FILE": str(cli_config),
    }
    return env, log


@pytest.mark.parametrize(("flags", "approved"), [((), False), (("--auto-approve",), True)])
def test_destroy_is_auto_approved_only_when_asked(tmp_path: Path, flags: tuple[str, ...], approved: bool) -> None:
    env, log = _fake_terraform(tmp_path)
    proc = subprocess.run(
        ["bash", str(DEPLOY), *flags, "dev", "destroy"], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 0, proc.stderr
    destroy = [line for line in log.read_text().splitlines() if " destroy" in line]
    assert len(destroy) == 1, log.read_text()
    assert ("-auto-approve" in destroy[0]) is approved
    assert "environments/dev.tfvars" in destroy[0]
