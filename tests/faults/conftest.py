"""Fault injection on the small fixture root (``tests/integration/fixtures/tiny``) in a moto server.

Each test gets its own server and account (recorded for the sweeper under a temp runs dir) and
must leave nothing behind. Times and seeds go to ``build/integration/summary-faults.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from journey_guard.ephemeral import sweep
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.paths import BUILD_DIR

TINY = Path(__file__).parents[1] / "integration" / "fixtures" / "tiny"
REPORTS: list[pytest.TestReport] = []


@pytest.fixture
def tiny_run(tmp_path: Path) -> Iterator[tuple[MotoServer, Deployment]]:
    server, account = sweep.start_moto_run(tmp_path / "runs")
    deployment = Deployment(account, "dev", tree=TINY, artifacts_dir=tmp_path)
    try:
        deployment.prepare()  # init outside the tests' own timeouts
        yield server, deployment
    finally:
        deployment.cleanup(remove_state=False)  # the temp copy; the account dies with the server
        server.stop()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        REPORTS.append(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not REPORTS:
        return
    lines = ["# Fault injection (tests/faults, fixture root tiny, moto)", "", "| fault | outcome | seconds | notes |", "|---|---|---|---|"]
    for report in REPORTS:
        notes = ", ".join(f"{k} {v}" for k, v in report.user_properties)
        lines.append(f"| {report.nodeid.split('::')[-1]} | {report.outcome} | {report.duration:.1f} | {notes} |")
    (BUILD_DIR / "integration").mkdir(parents=True, exist_ok=True)
    (BUILD_DIR / "integration" / "summary-faults.md").write_text("\n".join(lines) + "\n")
