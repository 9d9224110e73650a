"""Naming, tagging and the provider [spec section 1]; the outputs are in the inventories."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.terraform import plans
from tests.support.plans import ENVIRONMENTS, VARIANT_ENV, expect_equal, fill

pytestmark = pytest.mark.slow


@pytest.mark.spec("default-tags", "data-classification")
def test_every_taggable_resource_carries_the_default_tags(plan: plans.Plan, expected: dict[str, Any]) -> None:
    want = fill(expected["tags"], plan)
    confidential = set(expected["confidential"]["types"])
    wrong = {}
    taggable = 0
    for address, values in plan.resources.items():
        if "tags_all" not in values:
            continue  # the resource's schema has no tags
        taggable += 1
        tags = values["tags_all"]
        classification = (
            "confidential" if values["type"] in confidential and address not in expected["confidential"]["except"] else "internal"
        )
        expected_tags = {**want, "DataClassification": classification}
        actual = {k: tags.get(k) for k in expected_tags} if isinstance(tags, dict) else tags
        if actual != expected_tags:
            wrong[address] = actual
    assert taggable > 100, f"{plan.env}: only {taggable} taggable resources: is tags_all missing from the plan?"
    expect_equal({}, wrong, f"{plan.env}: resources with wrong tags (expected {want} + DataClassification)")


@pytest.mark.spec("name-limits", "names", "name-suffix")
def test_names_fit_their_service_limits_with_the_longest_suffix(
    staging_variant: plans.Plan, env_plans: dict[str, plans.Plan], expectations: dict[str, Any]
) -> None:
    # One render for every environment: staging has the longest environment name, and the variant turns
    # on what only some environments have; the first assertion proves no resource kind is left out.
    plan, expected = staging_variant, expectations[VARIANT_ENV]
    generic = {re.sub(rf"\b{re.escape(e)}\b", "ENV", a) for e, p in env_plans.items() for a in p.resources}
    missing = generic - {re.sub(rf"\b{VARIANT_ENV}\b", "ENV", a) for a in plan.resources}
    expect_equal([], sorted(missing), "resources of some environment the naming plan lacks")
    env, suffix = plan.variables["environment"], expected["name_suffix"]
    assert plan.variables["name_suffix"] == suffix and len(suffix) == 8
    too_long, unqualified, checked = {}, [], 0
    for rtype, limits in expected["name_limits"].items():
        for address, values in plan.of_type(rtype).items():
            for attribute, limit in limits.items():
                name = values.get(attribute)
                if not isinstance(name, str):
                    continue
                checked += 1
                if len(name) > limit:
                    too_long[f"{address}.{attribute}"] = f"{name} ({len(name)} > {limit})"
                # Inline role policy names are scoped by their role; everything else carries the qualifier.
                if rtype != "aws_iam_role_policy" and f"-{env}-{suffix}" not in name and name not in expected["unqualified_names"]:
                    unqualified.append(f"{address}.{attribute} = {name}")
    assert checked > 50, f"{env}: only {checked} names checked"
    expect_equal({}, too_long, f"{env}: names over their service's limit")
    expect_equal([], unqualified, f"{env}: names without the qualifier {env}-{suffix}")


@pytest.mark.spec("bucket-names-account")
def test_bucket_names_carry_the_account(plan: plans.Plan) -> None:
    buckets = sorted(b["bucket"] for b in plan.of_type("aws_s3_bucket").values())
    want = sorted(fill(f"uja-{c}-{{q}}-{{account}}", plan) for c in ("event-logs", "analytics-data", "artifacts", "access-logs"))
    assert buckets == want


@pytest.mark.spec("provider-constraints")
def test_the_only_provider_is_aws_5_100(env_plans: dict[str, plans.Plan]) -> None:
    for env, plan in env_plans.items():
        providers = {name: (p["full_name"], p.get("version_constraint")) for name, p in plan.configuration["provider_config"].items()}
        assert providers == {"aws": ("registry.terraform.io/hashicorp/aws", "~> 5.100")}, env


@pytest.mark.spec("bootstrap-backend-files", "bootstrap-lockfile")
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_backend_files_hold_key_region_encrypt_and_lockfile(env: str) -> None:
    path = TERRAFORM_DIR / "environments" / f"{env}-backend.hcl"
    settings = {name: json.loads(value) for name, value in re.findall(r"(?m)^\s*(\w+)\s*=\s*(.+?)\s*$", path.read_text())}
    # The bucket is not here: deploy.sh adds it from the bootstrap outputs.
    assert settings == {
        "key": f"user-journey-analytics/{env}/terraform.tfstate",
        "region": "us-east-1",
        "encrypt": True,
        "use_lockfile": True,
    }, path
