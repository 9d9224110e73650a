"""Plan-test fixtures: one rendered (cached) plan per environment, its inventory, and the expectations
of the hand-written tests (helpers in ``tests.support.plans``, imported when a fixture is used: every
layer loads this plugin).

Under pytest-xdist each worker asks for the plans in a different order; the helper's per-key
lock makes a worker wait for a plan another worker is rendering, so environments render in
parallel and each plan is rendered once.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from journey_guard.terraform import environments

if TYPE_CHECKING:
    from journey_guard.quality import coverage
    from journey_guard.terraform import plans


@pytest.fixture(scope="session")
def env_plans(worker_id: str, request: pytest.FixtureRequest) -> dict[str, plans.Plan]:
    # Only the environments the selected tests use (``-k dev`` renders one plan, e.g. for a mutant);
    # every environment as soon as one selected test uses the plans without an ``env`` parameter.
    from tests.support.plans import render, rotated

    users = [item for item in request.session.items if "env_plans" in getattr(item, "fixturenames", ())]
    wanted = {item.callspec.params.get("env") if hasattr(item, "callspec") else None for item in users}
    return {env: render(env) for env in rotated(worker_id) if env in wanted or None in wanted}


@pytest.fixture(scope="session")
def expectations() -> dict[str, dict[str, Any]]:
    """The hand-written tests' expectations (expectations.yaml), the same for every environment;
    the values per environment are in the inventories."""
    from journey_guard.terraform import plans
    from tests.support.plans import ENVIRONMENTS, EXPECTATIONS

    common = plans.load_yaml(EXPECTATIONS) or {}
    return dict.fromkeys(ENVIRONMENTS, common)


@pytest.fixture(scope="session")
def facts() -> dict[str, coverage.Fact]:
    from journey_guard.quality import coverage

    return coverage.load_facts()


@pytest.fixture(scope="session")
def variant_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tree whose staging.tfvars sets another budget (nothing else changes)."""
    from journey_guard.paths import TERRAFORM_DIR
    from tests.support.plans import VARIANT_BUDGET, VARIANT_ENV

    tree = tmp_path_factory.mktemp("variant") / "terraform"
    shutil.copytree(TERRAFORM_DIR, tree, ignore=shutil.ignore_patterns(".terraform"))
    tfvars = tree / "environments" / f"{VARIANT_ENV}.tfvars"
    text, count = re.subn(r"(?m)^monthly_budget_usd\s*=.*$", f"monthly_budget_usd = {VARIANT_BUDGET}", tfvars.read_text())
    assert count == 1, f"{tfvars}: no monthly_budget_usd line to change"
    tfvars.write_text(text)
    return tree


@pytest.fixture(scope="session")
def staging_variant(variant_tree: Path, expectations: dict[str, dict[str, Any]]) -> plans.Plan:
    """staging planned from ``variant_tree`` with ``variant_variables``: the cache test sees its changed
    tfvars, the naming test its longest names over every resource kind of every environment."""
    from journey_guard.terraform import plans
    from tests.support.plans import TEST_TFVARS, VARIANT_ENV, variant_variables

    return plans.render(VARIANT_ENV, tfvars=[TEST_TFVARS], variables=variant_variables(expectations), tree=variant_tree)


@pytest.fixture(params=environments.names())
def env(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def plan(env: str, env_plans: dict[str, plans.Plan]) -> plans.Plan:
    return env_plans[env]


@pytest.fixture
def expected(env: str, expectations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return expectations[env]
