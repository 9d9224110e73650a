"""The tree before issue 22's refactor and this one plan the same system: every old address moves
(the new tree's ``moved`` blocks) to an address with identical planned values, and nothing is added.
Hermetic, so it covers what moto does not apply (switched-off resources, the bootstrap); the moto
proof that the moves apply to a real state: tests/integration/test_5_equivalence.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from journey_guard import equivalence, plans
from journey_guard.paths import TERRAFORM_DIR
from tests.plan.conftest import ENVIRONMENTS, TEST_TFVARS

BOOTSTRAP_VARIABLES = {"account_id": "123456789012"}


@pytest.fixture(scope="module")
def old_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return equivalence.export_tree(equivalence.BASE_REF, tmp_path_factory.mktemp("base"))


def _assert_equivalent(old: plans.Plan, new: plans.Plan, tree: Path) -> None:
    report = equivalence.compare(old, new, equivalence.module_moves(new, tree))
    assert report.ok, report.describe()
    assert report.moved, "no address moved: the base ref is not the tree before the refactor"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_old_address_moves_to_identical_values(env: str, old_tree: Path) -> None:
    old = plans.render(env, tfvars=[TEST_TFVARS], tree=old_tree)
    _assert_equivalent(old, plans.render(env, tfvars=[TEST_TFVARS]), TERRAFORM_DIR)


def test_the_bootstrap_moves_to_identical_values(old_tree: Path) -> None:
    old = plans.render_root(old_tree / "bootstrap", variables=BOOTSTRAP_VARIABLES)
    new = plans.render_root(TERRAFORM_DIR / "bootstrap", variables=BOOTSTRAP_VARIABLES)
    _assert_equivalent(old, new, TERRAFORM_DIR / "bootstrap")
