"""Fixtures of the functions' unit tests.

- ``aws_world``: an in-process moto account (``mock_aws``) and the factory of its resources, which
  deletes what it made at teardown (``tests.support.moto_world``).
- ``aws``: the resources of the three SQS functions, made in ``aws_world`` (``tests.support.sqs_functions``).
- ``function_env(name)``: sets every variable of ``REQUIRED_ENV[name]`` (placeholders unless given).
- ``sleeps``: a recording stand-in for ``time.sleep`` to hand to adapters (no real waiting).
- ``emf``: the CloudWatch EMF documents printed so far (Powertools Metrics writes them to stdout).

It also activates the Hypothesis profile ``HYPOTHESIS_PROFILE`` names (``tests.support.properties``).
Imports beyond pytest and the standard library wait for a fixture: the policy layer loads this
plugin too, in a virtualenv without Hypothesis, pydantic or Powertools.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.moto_world import MotoWorld
    from tests.support.sqs_functions import Aws


def pytest_configure(config: pytest.Config) -> None:
    if importlib.util.find_spec("hypothesis") is not None:  # absent from the policy virtualenv
        from tests.support.properties import load_profile

        load_profile()


@pytest.fixture
def aws_world() -> Iterator[MotoWorld]:
    from tests.support.moto_world import moto_world

    with moto_world() as world:
        yield world


@pytest.fixture
def aws(aws_world: MotoWorld) -> Aws:
    from tests.support.sqs_functions import create

    return create(aws_world)


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
    from tests.support.lambdas import emf_documents

    return lambda: emf_documents(capsys.readouterr().out)
