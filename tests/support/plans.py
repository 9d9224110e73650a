"""The plan tests' inputs and helpers: the hermetic test tfvars, the inventories, the expectations,
the staging variant, and the short-diff assertion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journey_guard.terraform import environments, inventory, plans

PLAN_DIR = Path(__file__).resolve().parents[1] / "plan"
TEST_TFVARS = PLAN_DIR / "test.tfvars"
INVENTORY_DIR = PLAN_DIR / "inventory"
EXPECTATIONS = PLAN_DIR / "expectations.yaml"
ENVIRONMENTS = environments.names()

# The staging variant: one render that serves two proofs (see the ``staging_variant`` fixture).
VARIANT_BUDGET = 1750
VARIANT_ENV = "staging"  # as long as an environment name may be (terraform/variables.tf): its names are the longest


def render(env: str, **variables: Any) -> plans.Plan:
    """The plan of ``env`` with the hermetic test tfvars and ``variables`` on top (cached)."""
    return plans.render(env, tfvars=[TEST_TFVARS], variables=variables)


def expect_equal(expected: Any, actual: Any, what: str) -> None:
    """Fail with a short YAML diff instead of pytest's dump of two large structures."""
    if expected != actual:
        pytest.fail(f"{what} differs from the expectation:\n{plans.short_diff(expected, actual)}", pytrace=False)


def fill(template: Any, plan: plans.Plan, **extra: str) -> Any:
    """``template`` with {q}, {env}, {account}, {region}, {partition} (and ``extra``) filled from the plan."""
    return inventory.fill(template, {**inventory.names(plan.variables), **extra})


def rotated(worker_id: str) -> tuple[str, ...]:
    """The environments in this xdist worker's order: gw0 starts with the first, gw1 two further on, ..."""
    start = (int(worker_id[2:]) if worker_id.startswith("gw") else 0) * 2 % len(ENVIRONMENTS)
    return ENVIRONMENTS[start:] + ENVIRONMENTS[:start]


def variant_variables(expectations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The longest name suffix, and every resource some environment has (the notebook, autoscaling)."""
    return {"name_suffix": expectations[VARIANT_ENV]["name_suffix"], "sagemaker_notebook_enabled": True, "sagemaker_autoscaling_max": 5}
