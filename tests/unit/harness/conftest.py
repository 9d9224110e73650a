"""Fixtures of the harness unit tests: an in-process moto account (no server, no Terraform)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from journey_guard.ephemeral.account import Account

MOTO_DEFAULT_ACCOUNT = "123456789012"


@pytest.fixture
def account() -> Iterator[Account]:
    with mock_aws():
        yield Account(
            target="moto",
            account_id=MOTO_DEFAULT_ACCOUNT,
            region="us-east-1",
            name_suffix="unit0001",
            access_key="testing",
            secret_key="testing",
            tags={"ephemeral": "true", "run_id": "it-unit0001"},
        )
