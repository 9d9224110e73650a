"""Each feature switch removes exactly its own resources (plan with it off vs on, dev)."""

from __future__ import annotations

from typing import Any

import pytest

from journey_guard import plans

from .conftest import expect_equal, render

pytestmark = pytest.mark.slow

SWITCHES = ("timestream_enabled", "bedrock_enabled", "flink_enabled", "budget_enabled", "cost_anomaly_enabled")


def _owned(address: str, patterns: list[str]) -> bool:
    return any(address == p or (p.endswith("*") and address.startswith(p[:-1])) for p in patterns)


@pytest.mark.spec("feature-switches", "feature-switch-defaults")
@pytest.mark.parametrize("switch", SWITCHES)
def test_a_switch_removes_only_its_own_resources(switch: str, env_plans: dict[str, plans.Plan], expectations: dict[str, Any]) -> None:
    spec = expectations["dev"]["switches"][switch]
    on, off = env_plans["dev"], render("dev", **{switch: False})
    assert on.variables[switch] is True and off.variables[switch] is False
    removed, added = set(on.resources) - set(off.resources), set(off.resources) - set(on.resources)
    expect_equal([], sorted(added), f"{switch}=false adds resources")
    expect_equal(sorted(a for a in on.resources if _owned(a, spec["own"])), sorted(removed), f"{switch}=false removes")
    assert len(removed) == spec["count"]
    for pattern in spec["own"]:
        assert any(_owned(a, [pattern]) for a in removed), f"{switch}: {pattern} matches nothing"


def test_every_feature_switch_of_the_root_is_covered(env_plans: dict[str, plans.Plan], expectations: dict[str, Any]) -> None:
    # A switch added to variables.tf without an entry here would go untested: fail instead.
    declared = {name for name in env_plans["dev"].variables if name.endswith("_enabled")} - {"sagemaker_notebook_enabled"}
    assert declared == set(SWITCHES) == set(expectations["dev"]["switches"])
