"""The plan helper itself: hermetic rendering, the cache and its invalidation, rejected inputs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from journey_guard.paths import BUILD_DIR, FUNCTIONS_DIR, TERRAFORM_DIR
from journey_guard.terraform import build, plans
from tests.support.plans import ENVIRONMENTS, TEST_TFVARS, VARIANT_BUDGET, VARIANT_ENV, variant_variables

pytestmark = pytest.mark.slow


def _keys(variables: dict[str, Any] | None = None, **overrides: Any) -> dict[str, str]:
    return {env: plans.cache_key(plans.make_inputs(env, tfvars=[TEST_TFVARS], variables=variables, **overrides)) for env in ENVIRONMENTS}


def test_second_render_is_a_cache_hit_with_the_same_plan(tmp_path: Path) -> None:
    tree = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, tree, ignore=shutil.ignore_patterns(".terraform"))
    first = plans.render("dev", tfvars=[TEST_TFVARS], tree=tree)
    again = plans.render("dev", tfvars=[TEST_TFVARS], tree=tree)
    assert again.cached
    assert again.key == first.key
    assert again.json == first.json


@pytest.mark.spec("plans-offline")
def test_plans_are_hermetic_and_use_the_test_account(env_plans: dict[str, plans.Plan]) -> None:
    for env, plan in env_plans.items():
        assert plan.variables["environment"] == env
        assert plan.variables["account_id"] == "123456789012"
        assert plan.variables["availability_zones"] == ["us-east-1a", "us-east-1b"]
        # The root's own endpoint variable stays unset: the hermetic settings come from the override
        # file (tests/plan/test_hermetic.py), so a real deployment's provider block is what is planned.
        assert plan.variables["aws_endpoint_url"] is None
        assert not [a for a in plan.json.get("prior_state", {}).get("values", {}).get("root_module", {}).get("resources", [])]


def test_a_tfvars_change_misses_for_that_environment_only(
    variant_tree: Path, staging_variant: plans.Plan, expectations: dict[str, Any]
) -> None:
    # The variant tree differs from the working tree only in staging.tfvars (see tests/plugins/plans.py).
    variables = variant_variables(expectations)
    base, changed = _keys(variables), _keys(variables, tree=variant_tree)
    assert {env for env in ENVIRONMENTS if base[env] != changed[env]} == {VARIANT_ENV}
    assert staging_variant.key == changed[VARIANT_ENV]
    assert staging_variant.variables["monthly_budget_usd"] == VARIANT_BUDGET
    budgets = [b["limit_amount"] for b in staging_variant.of_type("aws_budgets_budget").values()]
    assert [float(b) for b in budgets] == [float(VARIANT_BUDGET)]


def test_a_handler_change_misses_for_every_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    functions = tmp_path / "functions"
    shutil.copytree(FUNCTIONS_DIR, functions, ignore=shutil.ignore_patterns("__pycache__"))
    handler = functions / "event_processor" / "handler.py"
    handler.write_text((handler.read_text() if handler.exists() else "") + "\n# plan-test: a changed handler source\n")
    out = tmp_path / "build"
    for name in (*plans.ARTIFACT_DIRS, "manifest.json"):
        (shutil.copytree if (BUILD_DIR / name).is_dir() else shutil.copy2)(BUILD_DIR / name, out / name)
    monkeypatch.setattr(build, "FUNCTIONS_DIR", functions)
    result = build.Builder(out=out, offline=True).run()
    assert "event-processor" in result["built"]

    base, changed = _keys(), _keys(artifacts=out)
    assert all(base[env] != changed[env] for env in ENVIRONMENTS), "an artifact change must miss everywhere"
    # An unchanged rebuild is byte-identical, so the keys come back.
    result = build.Builder(out=tmp_path / "build", offline=True).run()
    assert result["built"] == []
    assert _keys(artifacts=out) == changed


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"environment": "integration"},
            f'environment must be one of {", ".join(ENVIRONMENTS)} (environments/<env>.tfvars and <env>-backend.hcl), not "integration".',
        ),
        ({"environment": "../environments/dev"}, "environment must be one of"),
        ({"kinesis_shard_count": 0}, "kinesis_shard_count must be a whole number from 1 to 64."),
        ({"lambda_memory_size": 64}, "lambda_memory_size must be from 128 to 10240 MB."),
        ({"lambda_memory_size": 20480}, "lambda_memory_size must be from 128 to 10240 MB."),
    ],
    ids=["overlay-is-no-environment", "path-is-no-environment", "zero-shards", "memory-too-small", "memory-too-large"],
)
def test_invalid_values_fail_at_plan_with_the_validation_message(variables: dict[str, object], message: str) -> None:
    # Means: the root's variable declarations alone (plans.check_variables, ~0.5 s, no provider):
    # Terraform rejects a root variable before it plans anything.
    with pytest.raises(plans.PlanError) as err:
        plans.check_variables("dev", tfvars=[TEST_TFVARS], variables=variables)
    text = " ".join(str(err.value).split())
    assert plans.VALIDATION_FAILURE in text
    assert message in text
    name = next(iter(variables))
    assert f"var.{name}" in text


def test_the_environment_validation_needs_both_files(tmp_path: Path) -> None:
    # Terraform itself reads environments/: a tfvars file alone (an overlay) is no environment.
    tree = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, tree, ignore=shutil.ignore_patterns(".terraform", "modules", "bootstrap"))
    (tree / "environments" / "perf.tfvars").write_text('environment = "perf"\n')
    with pytest.raises(plans.PlanError) as err:
        plans.check_variables("dev", tfvars=[TEST_TFVARS], variables={"environment": "perf"}, tree=tree)
    assert f"environment must be one of {', '.join(ENVIRONMENTS)} " in " ".join(str(err.value).split())
    (tree / "environments" / "perf-backend.hcl").write_text("")
    plans.check_variables("dev", tfvars=[TEST_TFVARS], variables={"environment": "perf"}, tree=tree)


def test_valid_values_pass_the_variable_check() -> None:
    # The check above can fail only on what it should: every environment's own values pass it.
    for env in ENVIRONMENTS:
        plans.check_variables(env, tfvars=[TEST_TFVARS], variables={"lambda_memory_size": 128})


@pytest.mark.parametrize(
    ("name", "missing"), [("integration", "no integration-backend.hcl"), ("prd", "no prd.tfvars and no prd-backend.hcl")]
)
def test_unknown_environment_is_refused_before_terraform_runs(name: str, missing: str) -> None:
    with pytest.raises(plans.PlanError) as err:
        plans.render(name, tfvars=[TEST_TFVARS])
    found = re.fullmatch(rf"unknown environment '{name}': {missing} in \S+/environments \(have ([a-z, ]+)\)", str(err.value))
    assert found, err.value
    have = found[1].split(", ")
    assert have == list(ENVIRONMENTS)
    # The spec's three (section 1): a fourth may join them (docs/adding-an-environment.md), none may go.
    assert {"dev", "staging", "prod"} <= set(have)


def test_a_plan_without_account_id_is_refused_so_no_data_source_calls_aws() -> None:
    with pytest.raises(plans.PlanError, match="account_id is not set"):
        plans.render("dev")


def test_short_diff_is_short() -> None:
    expected = {f"aws_thing.r{i}": i for i in range(500)}
    actual = {**expected, "aws_thing.r7": -1, "aws_thing.extra": 1}
    many = {k: -v for k, v in expected.items()}
    diff = plans.short_diff(expected, many, limit=10)
    assert len(diff.splitlines()) == 11
    assert diff.splitlines()[-1].startswith("... ") and diff.endswith("more diff lines")
    assert "-aws_thing.r7: 7" in plans.short_diff(expected, actual)
    assert "+aws_thing.r7: -1" in plans.short_diff(expected, actual)
