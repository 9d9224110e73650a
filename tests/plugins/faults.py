"""The fault layer's fixture: ``tiny_run``, a moto server and account of its own for each test (recorded
for the sweeper under a temp runs dir) and a prepared deployment of the small fixture root."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from journey_guard.ephemeral.deploy import Deployment
    from journey_guard.ephemeral.moto_server import MotoServer


@pytest.fixture
def tiny_run(tmp_path: Path) -> Iterator[tuple[MotoServer, Deployment]]:
    from journey_guard.ephemeral import sweep
    from journey_guard.ephemeral.deploy import Deployment
    from tests.support.integration import TINY

    server, account = sweep.start_moto_run(tmp_path / "runs")
    deployment = Deployment(account, "dev", tree=TINY, artifacts_dir=tmp_path)
    try:
        deployment.prepare()  # init outside the tests' own timeouts
        yield server, deployment
    finally:
        deployment.cleanup(remove_state=False)  # the temp copy; the account dies with the server
        server.stop()
