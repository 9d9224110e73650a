"""Plan-test fixtures: one rendered (cached) plan per environment, its inventory, and the expectations
of the hand-written tests.

Under pytest-xdist each worker asks for the plans in a different order; the helper's per-key
lock makes a worker wait for a plan another worker is rendering, so environments render in
parallel and each plan is rendered once.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.quality import coverage
from journey_guard.terraform import environments, inventory, plans

PLAN_DIR = Path(__file__).resolve().parent
TEST_TFVARS = PLAN_DIR / "test.tfvars"
INVENTORY_DIR = PLAN_DIR / "inventory"
EXPECTATIONS = PLAN_DIR / "expectations.yaml"
ENVIRONMENTS = environments.names()


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


@pytest.fixture(scope="session")
def env_plans(worker_id: str, request: pytest.FixtureRequest) -> dict[str, plans.Plan]:
    # Only the environments the selected tests use (``-k dev`` renders one plan, e.g. for a mutant);
    # every environment as soon as one selected test uses the plans without an ``env`` parameter.
    users = [item for item in request.session.items if "env_plans" in getattr(item, "fixturenames", ())]
    wanted = {item.callspec.params.get("env") if hasattr(item, "callspec") else None for item in users}
    return {env: render(env) for env in rotated(worker_id) if env in wanted or None in wanted}


@pytest.fixture(scope="session")
def expectations() -> dict[str, dict[str, Any]]:
    """The hand-written tests' expectations (expectations.yaml), the same for every environment;
    the values per environment are in the inventories."""
    common = plans.load_yaml(EXPECTATIONS) or {}
    return dict.fromkeys(ENVIRONMENTS, common)


@pytest.fixture(scope="session")
def facts() -> dict[str, coverage.Fact]:
    return coverage.load_facts()


# The staging variant: one render that serves two proofs (see the fixture).
VARIANT_BUDGET = 1750
VARIANT_ENV = "staging"  # as long as an environment name may be (terraform/variables.tf): its names are the longest


@pytest.fixture(scope="session")
def variant_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tree whose staging.tfvars sets another budget (nothing else changes)."""
    tree = tmp_path_factory.mktemp("variant") / "terraform"
    shutil.copytree(TERRAFORM_DIR, tree, ignore=shutil.ignore_patterns(".terraform"))
    tfvars = tree / "environments" / f"{VARIANT_ENV}.tfvars"
    text, count = re.subn(r"(?m)^monthly_budget_usd\s*=.*$", f"monthly_budget_usd = {VARIANT_BUDGET}", tfvars.read_text())
    assert count == 1, f"{tfvars}: no monthly_budget_usd line to change"
    tfvars.write_text(text)
    return tree


def variant_variables(expectations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The longest name suffix, and every resource some environment has (the notebook, autoscaling)."""
    return {"name_suffix": expectations[VARIANT_ENV]["name_suffix"], "sagemaker_notebook_enabled": True, "sagemaker_autoscaling_max": 5}


@pytest.fixture(scope="session")
def staging_variant(variant_tree: Path, expectations: dict[str, dict[str, Any]]) -> plans.Plan:
    """staging planned from ``variant_tree`` with ``variant_variables``: the cache test sees its changed
    tfvars, the naming test its longest names over every resource kind of every environment."""
    return plans.render(VARIANT_ENV, tfvars=[TEST_TFVARS], variables=variant_variables(expectations), tree=variant_tree)


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def plan(env: str, env_plans: dict[str, plans.Plan]) -> plans.Plan:
    return env_plans[env]


@pytest.fixture
def expected(env: str, expectations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return expectations[env]
