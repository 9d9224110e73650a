"""The mutant catalogue (tests/mutants/) against the policy catalogue: an insecure edit per policy id.

"Policy id" = every UJA_ id plus each built-in checkov check that passes a resource of the tree
(on the HCL of any environment or of a nested root). The quick mutation table of
tests/support/policy_mutations.py is a subset of the catalogue, entry for entry.
"""

from __future__ import annotations

import pytest

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.quality import mutants
from policies import config, gate
from policies.base import CATALOG
from tests.support.policy_mutations import MUTATIONS

pytestmark = pytest.mark.slow

# Built-in checks that pass a resource of the tree and have no mutant yet, each with what blocks one.
# The test fails when a check here gets a mutant (remove it) or a new passing check has none.
NOT_YET_MUTATED = {
    # No valid Terraform fails these (provider hashicorp/aws 5.100, checkov 3.3.30).
    "CKV2_AWS_35": (
        "fails only an aws_route / aws_route_table route with instance_id to 0.0.0.0/0; provider 5.100 has "
        "instance_id on aws_route as computed only and none in aws_route_table's route (a route through "
        "network_interface_id did not fail it)"
    ),
    "CKV2_AWS_68": (
        "reads a `policy` attribute of the notebook's aws_iam_role, which the provider's aws_iam_role does not "
        "have (an inline_policy granting Action * on * failed UJA_IAM_001/002/003 only)"
    ),
}
# UJA_ policies without a mutant yet, each with what blocks one (none today).
UJA_NOT_YET_MUTATED: dict[str, str] = {}


@pytest.fixture(scope="module")
def passing_builtins() -> set[str]:
    """Built-in checks that pass at least one resource of the tree, over every environment and nested root."""
    envs: list[config.EnvironmentRules | None] = list(config.load().environments.values())
    reports = [r for env in envs for r in gate.hcl_reports(TERRAFORM_DIR, env)]
    reports += [r for root in gate.nested_roots(TERRAFORM_DIR) for r in gate.hcl_reports(TERRAFORM_DIR / root, None)]
    return {record.check_id for report in reports for record in report.passed_checks if not record.check_id.startswith("UJA_")}


def _covered() -> set[str]:
    return {policy for m in mutants.load() if m.layer == "policy" for policy in m.policy}


def test_every_uja_policy_has_a_mutant() -> None:
    covered = _covered()
    missing = sorted(set(CATALOG) - covered - set(UJA_NOT_YET_MUTATED))
    assert missing == [], f"UJA_ policies without an insecure edit in tests/mutants/: {missing}"
    assert sorted(set(UJA_NOT_YET_MUTATED) & covered) == [], "mutated now: remove from UJA_NOT_YET_MUTATED"


def test_every_builtin_check_that_passes_a_resource_has_a_mutant(passing_builtins: set[str]) -> None:
    covered = _covered()
    assert sorted(passing_builtins - covered - set(NOT_YET_MUTATED)) == [], "built-in checks without a mutant"
    assert sorted(set(NOT_YET_MUTATED) & covered) == [], "mutated now: remove from NOT_YET_MUTATED"
    assert sorted(set(NOT_YET_MUTATED) - passing_builtins) == [], "no longer passing a resource: remove from NOT_YET_MUTATED"


def test_the_quick_table_is_part_of_the_catalogue() -> None:
    # The table's single edits that the catalogue names alike must be the same edit, expecting the same id.
    catalogue = {m.id: m for m in mutants.load()}
    shared = [q for q in MUTATIONS if q.name in catalogue and len(q.edits) == 1]
    assert len(shared) >= 10, [q.name for q in shared]
    for quick in shared:
        (edit,) = quick.edits
        entry = catalogue[quick.name]
        assert (entry.file, entry.text, entry.replacement, entry.env or quick.env) == (
            f"terraform/{edit.file}",
            edit.old,
            edit.new,
            quick.env,
        )
        assert {rule for rule, _ in quick.expect} <= set(entry.policy), quick.name
