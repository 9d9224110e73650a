"""Fixture of the harness's unit tests: ``account``, the harness's view (``journey_guard.ephemeral.account.Account``)
of an in-process moto account (no server, no Terraform)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from journey_guard.ephemeral.account import Account


@pytest.fixture
def account() -> Iterator[Account]:
    from journey_guard.ephemeral.account import Account
    from tests.support.moto_world import ACCOUNT_ID, REGION, moto_world

    with moto_world():
        yield Account(
            target="moto",
            account_id=ACCOUNT_ID,
            region=REGION,
            name_suffix="unit0001",
            access_key="testing",
            secret_key="testing",
            tags={"ephemeral": "true", "run_id": "it-unit0001"},
        )
