"""The trees before and after issue 22's refactor plan the same system: every old address moves
(the new tree's ``moved`` blocks) to an address with identical planned values, and nothing is added.
Hermetic, so it covers what moto does not apply (switched-off resources, the bootstrap); the moto
proof that the moves apply to a real state: test_moto.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from journey_guard.terraform import equivalence, plans
from tests.support.plans import ENVIRONMENTS, TEST_TFVARS

BOOTSTRAP_VARIABLES = {"account_id": "123456789012"}


@pytest.fixture(scope="module")
def old_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return equivalence.export_tree(equivalence.BASE_REF, tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def new_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return equivalence.export_tree(equivalence.REFACTOR_REF, tmp_path_factory.mktemp("refactor"))


def _assert_equivalent(old: plans.Plan, new: plans.Plan, tree: Path) -> None:
    report = equivalence.compare(old, new, equivalence.module_moves(new, tree))
    assert report.ok, report.describe()
    assert report.moved, "no address moved: the base ref is not the tree before the refactor"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_old_address_moves_to_identical_values(env: str, old_tree: Path, new_tree: Path) -> None:
    old = plans.render(env, tfvars=[TEST_TFVARS], tree=old_tree)
    _assert_equivalent(old, plans.render(env, tfvars=[TEST_TFVARS], tree=new_tree), new_tree)


def test_the_bootstrap_moves_to_identical_values(old_tree: Path, new_tree: Path) -> None:
    old = plans.render_root(old_tree / "bootstrap", variables=BOOTSTRAP_VARIABLES)
    new = plans.render_root(new_tree / "bootstrap", variables=BOOTSTRAP_VARIABLES)
    _assert_equivalent(old, new, new_tree / "bootstrap")
