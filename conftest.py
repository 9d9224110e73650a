"""Root of every test layer: shared options, and the fixtures of tests/plugins for every layer.

Tests import helpers from tests/support, never from a conftest.py; a layer's conftest.py keeps only
the hooks that belong to that layer alone (the integration and fault reports).
"""

from __future__ import annotations

import os
import sys

import pytest

from journey_guard import progress

# The helpers' asserts explain themselves as the tests' do (the plugins' are rewritten anyway).
pytest.register_assert_rewrite("tests.support")
pytest_plugins = (
    "tests.plugins.functions",
    "tests.plugins.harness",
    "tests.plugins.policies",
    "tests.plugins.plans",
    "tests.plugins.integration",
    "tests.plugins.faults",
)

# Tests never reach a real AWS account by accident: unset profiles, fake static credentials,
# and a fixed region. Integration sets its own credentials for the account it creates.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("AWS_PROFILE", None)


def pytest_configure(config: pytest.Config) -> None:
    # Long steps (plan renders, apply, destroy) report progress as they go, past output capture; an
    # xdist worker's standard error reaches the terminal too once capture is suspended.
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        return

    def sink(line: str) -> None:
        with capture.global_and_fixture_disabled():
            print(line, file=sys.stderr, flush=True)

    progress.SINK = sink
