"""Policy-gate fixtures: checkov runs once per environment over tests/unit/policies/fixtures/checks.

Only the policy virtualenv has checkov: the fixtures import it when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.policies import Results


@pytest.fixture(scope="session")
def no_env_results() -> Results:
    """The fixtures scanned as a directory without environments: per-environment checks stay silent."""
    from tests.support.policies import check_results

    return check_results(None)


@pytest.fixture(scope="session")
def env_results() -> dict[str, Results]:
    from policies import config
    from tests.support.policies import check_results

    rules = config.load().environments
    return {name: check_results(rules[name]) for name in ("dev", "prod")}
