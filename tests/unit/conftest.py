"""Fixtures shared by the unit tests of the functions (kept small and generic).

- ``aws``: an in-process moto account (``mock_aws``) for real boto3 calls.
- ``function_env(name)``: sets every variable of ``REQUIRED_ENV[name]`` (placeholders unless given).
- ``sleeps``: a recording stand-in for ``time.sleep`` to hand to adapters (no real waiting).
- ``emf``: the CloudWatch EMF documents printed so far (Powertools Metrics writes them to stdout).

It also activates the Hypothesis profile ``HYPOTHESIS_PROFILE`` names (see ``properties.py``).
tests/unit/policies runs below this file in the policy virtualenv (checkov, no moto, no Hypothesis,
no pydantic), so this module imports only pytest and the standard library at import time.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if importlib.util.find_spec("hypothesis") is not None:  # absent from the policy virtualenv
        from tests.unit.properties import load_profile

        load_profile()


@pytest.fixture
def aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def function_env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, str]]:
    from common.settings import METRICS_NAMESPACE, REQUIRED_ENV

    def apply(function: str, **values: str) -> dict[str, str]:
        env = {name: f"test-{name.lower()}" for name in REQUIRED_ENV[function]}
        env |= {"POWERTOOLS_SERVICE_NAME": function, "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE, "LOG_LEVEL": "INFO"}
        env |= values
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return env

    return apply


@pytest.fixture
def sleeps() -> list[float]:
    """A list that records requested sleeps; pass ``sleeps.append`` as an adapter's ``sleep``."""
    return []


@pytest.fixture
def emf(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict]]:
    def documents() -> list[dict]:
        lines = (line for line in capsys.readouterr().out.splitlines() if line.startswith("{"))
        return [doc for doc in map(json.loads, lines) if "_aws" in doc]

    return documents
