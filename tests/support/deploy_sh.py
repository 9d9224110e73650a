"""terraform/deploy.sh run against a fake ``terraform``, for the tests of its input checks and drift exit codes."""

from __future__ import annotations

import os
from pathlib import Path

from journey_guard.paths import TERRAFORM_DIR

DEPLOY = TERRAFORM_DIR / "deploy.sh"


def fake_terraform(directory: Path) -> tuple[dict[str, str], Path]:
    """(environment, log): a ``terraform`` first on PATH that records its arguments in ``log`` and
    succeeds, a build directory holding a Lambda zip, and the account in ``UJA_ACCOUNT_ID``."""
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    log = directory / "calls.log"
    fake = bin_dir / "terraform"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexit 0\n')
    fake.chmod(0o755)
    build = directory / "build"
    (build / "lambda").mkdir(parents=True)
    (build / "lambda" / "event-processor.zip").write_bytes(b"zip")
    cli_config = directory / "cli.tfrc"
    cli_config.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "UJA_ACCOUNT_ID": "123456789012",
        "UJA_BUILD_DIR": str(build),
        "UJA_CACHE_DIR": str(directory / "cache"),
        "TF_CLI_CONFIG_FILE": str(cli_config),
    }
    return env, log
