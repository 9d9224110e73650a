"""Each environment's plan against its inventory (journey_guard/terraform/inventory.py), and the variables'
allowed ranges: every expected value is tagged with the spec fact that fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from journey_guard.quality import coverage
from journey_guard.terraform import inventory, plans
from tests.support.plans import ENVIRONMENTS, INVENTORY_DIR, TEST_TFVARS

pytestmark = pytest.mark.slow

# Inventories of Terraform roots other than this repository's environments (terraform/bootstrap).
ROOTS = sorted(p.stem for p in INVENTORY_DIR.glob("*.yaml") if "root" in (inventory.load_file(p).get("plan") or {}))


def _load(name: str, facts: dict[str, coverage.Fact]) -> dict:
    data = inventory.load_file(INVENTORY_DIR / f"{name}.yaml")
    inventory.check_references(data, facts)
    return data


def _expect(data: dict, plan: plans.Plan) -> None:
    mismatches = inventory.validate(data, plan.resources, plan.outputs, inventory.names(plan.variables))
    if mismatches:
        pytest.fail(inventory.report(mismatches, data["source"]), pytrace=False)


def test_the_plan_matches_its_inventory(plan: plans.Plan, env: str, facts: dict[str, coverage.Fact]) -> None:
    data = _load(env, facts)
    # The draft command renders from this block: it must name the plan tested here.
    assert data.get("plan") == {"env": env, "tfvars": [TEST_TFVARS.relative_to(coverage.REPO).as_posix()]}, data["source"]
    _expect(data, plan)


@pytest.mark.parametrize("name", ROOTS)
def test_other_roots_match_their_inventory(name: str, facts: dict[str, coverage.Fact]) -> None:
    data = _load(name, facts)
    _expect(data, inventory.render_plan(data))


def test_every_inventory_is_checked() -> None:
    included = {i for p in INVENTORY_DIR.glob("*.yaml") for i in inventory.load_file(p).get("include", [])}
    checked = {f"{name}.yaml" for name in (*ENVIRONMENTS, *ROOTS)} | included
    assert {p.name for p in INVENTORY_DIR.glob("*.yaml")} == checked


def _rejected(env: str, var_file: Path) -> str | None:
    # Means: the root's variable declarations alone (plans.check_variables): Terraform rejects a root
    # variable before it plans anything, so no plan of the whole system is rendered for these.
    try:
        plans.check_variables(env, tfvars=[TEST_TFVARS, var_file])
    except plans.PlanError as exc:
        return str(exc)
    return None


@pytest.mark.spec("validation-ranges")
@pytest.mark.parametrize("env", [e for e in ENVIRONMENTS if inventory.load_file(INVENTORY_DIR / f"{e}.yaml").get("rejects")])
def test_values_outside_the_allowed_ranges_are_rejected(env: str, facts: dict[str, coverage.Fact], tmp_path: Path) -> None:
    # All cases of a batch go into one plan: Terraform reports every failing variable at once.
    accepted = []
    for i, batch in enumerate(inventory.reject_batches(_load(env, facts))):
        var_file = tmp_path / f"rejects-{i}.tfvars"
        var_file.write_text(inventory.tfvars_text(batch))
        accepted += inventory.unrejected(batch, _rejected(env, var_file))
    assert not accepted, f"inventory/{env}.yaml rejects:\n" + "\n".join(accepted)
