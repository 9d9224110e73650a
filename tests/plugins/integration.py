"""The integration layer's fixture: ``cycle``, one account (``--target``), one apply of ``--env`` per
session; destroy and leak check always, even when a run stops early (options and report hooks:
tests/integration/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.integration import Cycle


@pytest.fixture(scope="session")
def cycle(request: pytest.FixtureRequest) -> Iterator[Cycle]:
    from journey_guard.ephemeral import faults, sweep
    from journey_guard.ephemeral.account import aws_account
    from journey_guard.ephemeral.deploy import Deployment
    from tests.support.integration import CYCLES, Cycle

    target, env = request.config.getoption("--target"), request.config.getoption("--env")
    server = None
    if target == "moto":
        server, account = sweep.start_moto_run()
    else:
        account = aws_account()
    run = Cycle(Deployment(account, env), server=server)
    CYCLES.append(run)
    try:
        with faults.server_guard(server, run.deployment, "deploy"):
            run.deploy()
        yield run
    finally:
        try:
            with faults.server_guard(server, run.deployment, "teardown"):
                run.teardown()
        finally:
            if server is not None:
                server.stop()
