"""Policy-gate fixtures: checkov runs once per environment over tests/unit/policies/fixtures/checks.

Runs in the policy virtualenv (checkov's pins). Each fixture directory is named by the check it
exercises; its resources are the failing and passing cases (``fail_*`` / ``pass_*``; the
per-environment checks name their expectations in ``ENV_EXPECTATIONS``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import config, gate

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHECK_FIXTURES = FIXTURES / "checks"

# (check id, fixture directory, resource name) -> "PASSED" / "FAILED"
Results = dict[tuple[str, str, str], str]


def _results(env: config.EnvironmentRules | None) -> Results:
    out: Results = {}
    for report in gate.hcl_reports(CHECK_FIXTURES, env):
        for record in report.passed_checks + report.failed_checks:
            directory = Path(record.file_path.lstrip("/")).parts[0]
            name = record.resource.rsplit(".", 1)[-1]
            out[(record.check_id, directory, name)] = record.check_result["result"].name
    return out


@pytest.fixture(scope="session")
def no_env_results() -> Results:
    """The fixtures scanned as a directory without environments: per-environment checks stay silent."""
    return _results(None)


@pytest.fixture(scope="session")
def env_results() -> dict[str, Results]:
    rules = config.load().environments
    return {name: _results(rules[name]) for name in ("dev", "prod")}
