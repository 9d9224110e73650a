"""pytest plugin for the mutation runner: how each test ended, and why (``-p journey_guard.quality.mutants_pytest``).

A mutant counts as killed only by a failed assertion; every other failure (a plan error in a
fixture, an import or syntax error at collection, a crash inside a test) means the mutant broke
the code instead of changing a fact. pytest's exit code cannot tell these apart, so this plugin
writes one JSON line per failed phase to the file named by ``UJA_MUTANT_REPORT``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

REPORT_ENV = "UJA_MUTANT_REPORT"
# What a test's own assertion raises: ``assert``, ``pytest.fail``/``pytest.raises`` (Failed) and
# hypothesis' shrunk falsifying example (re-raised as the original AssertionError).
ASSERTION_TYPES = ("AssertionError", "Failed")


def _write(record: dict[str, Any]) -> None:
    path = os.environ.get(REPORT_ENV)
    if path:
        with open(path, "a") as handle:
            handle.write(json.dumps(record) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None:
        kind = call.excinfo.typename
        assertion = report.when == "call" and kind in ASSERTION_TYPES
        message = call.excinfo.exconly().strip().splitlines()
        _write({"test": item.nodeid, "when": report.when, "type": kind, "assertion": assertion, "message": "\n".join(message[:20])})


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        # The ``E   ...`` lines carry the error itself (SyntaxError, ImportError); the rest is traceback.
        lines = str(report.longrepr).splitlines()
        message = [line[1:].strip() for line in lines if line.startswith("E ")] or lines[-20:]
        _write({"test": report.nodeid, "when": "collect", "type": "CollectError", "assertion": False, "message": "\n".join(message[-20:])})
