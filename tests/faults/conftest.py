"""Fault injection on the small fixture root (``tests/integration/fixtures/tiny``) in a moto server.

Each test gets its own server and account (``tiny_run``, tests/plugins/faults.py) and must leave
nothing behind. Times and seeds go to ``build/integration/summary-faults.md``.
"""

from __future__ import annotations

import pytest

from journey_guard.paths import BUILD_DIR

REPORTS: list[pytest.TestReport] = []


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
