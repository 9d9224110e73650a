"""Every aws resource type that can carry a resource-based policy is judged or excluded with a reason.

The list is derived from ``terraform providers schema -json`` of the locked provider and committed
(``policies/resource_policies.yaml``); the last test regenerates it with the real Terraform.
"""

from __future__ import annotations

import pytest

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.terraform import toolchain
from policies import resource_types
from policies.checks.exp_003_lambda_permission_principal import check as flat_permissions
from policies.checks.exp_004_resource_policy_open import check as open_policies
from policies.checks.exp_006_service_principal_source import check as confused_deputy


def test_every_derived_type_is_covered_or_excluded_with_a_reason() -> None:
    coverage = resource_types.load()
    judged = set(coverage.covered) | set(coverage.permissions)
    unclassified = sorted(set(coverage.derived) - judged - set(coverage.excluded))
    assert unclassified == [], f"neither covered nor excluded (add to policies/resource_policies.yaml with a reason): {unclassified}"
    assert not judged & set(coverage.excluded), "a type is both covered and excluded"
    assert sorted((judged | set(coverage.excluded)) - set(coverage.derived)) == [], "stale entries: not in the provider schema"
    assert all(len(reason.split()) >= 5 for reason in coverage.excluded.values())


def test_covered_types_name_an_attribute_the_schema_has() -> None:
    coverage = resource_types.load()
    wrong = {t: a for t, a in coverage.covered.items() if a not in coverage.derived[t]}
    assert wrong == {}
    assert all("principal" in coverage.derived[t] for t in coverage.permissions)


def test_the_who_can_act_checks_run_on_every_covered_type() -> None:
    coverage = resource_types.load()
    assert set(open_policies.supported_resources) == set(coverage.covered)
    assert set(confused_deputy.supported_resources) == set(coverage.covered)
    assert set(flat_permissions.supported_resources) == set(coverage.permissions)
    # Beyond S3, SQS, SNS and KMS: the coverage the issue asked for.
    assert {"aws_secretsmanager_secret_policy", "aws_ecr_repository_policy", "aws_lambda_layer_version_permission"} <= set(
        coverage.covered
    ) | set(coverage.permissions)


def test_a_new_type_in_the_schema_fails_until_classified() -> None:
    schema = {
        "provider_schemas": {
            resource_types.PROVIDER: {
                "resource_schemas": {
                    "aws_new_policy": {"block": {"attributes": {"policy": {"type": "string"}, "policy_id": {"type": "string"}}}},
                    "aws_new_grant": {"block": {"attributes": {"principal": {"type": "string"}}}},
                    "aws_plain": {"block": {"attributes": {"name": {"type": "string"}}}},
                    "aws_nested": {"block": {"block_types": {"details": {"block": {"attributes": {"policy": {"type": "string"}}}}}}},
                }
            }
        }
    }
    assert resource_types.derive(schema) == {"aws_nested": ["details.policy"], "aws_new_grant": ["principal"], "aws_new_policy": ["policy"]}


@pytest.mark.slow
def test_the_committed_list_is_the_locked_providers_schema() -> None:
    """Regenerate from ``terraform providers schema -json`` (the real CLI and provider) and compare."""
    try:
        toolchain.ensure()
    except toolchain.ToolchainError as exc:
        pytest.fail(f"the policy session needs Terraform: {exc}")
    derived = resource_types.derive(resource_types.provider_schema(TERRAFORM_DIR))
    assert derived == resource_types.load().derived, "run: python -m policies.resource_types --write, then classify new types"
