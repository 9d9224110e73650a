"""Every UJA_ check fails its failing fixtures and passes its passing ones; the set of ids is fixed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policies import gate, plan_checks
from policies.base import CATALOG, UjaCheck
from tests.support.policies import CHECK_FIXTURES, FIXTURES, Results

# A deleted or renamed policy must show up here: the gate's promise to reviewers is this list.
EXPECTED_CHECK_IDS = {
    *(f"UJA_ENC_{n:03}" for n in range(1, 12)),
    "UJA_KMS_001",
    "UJA_KMS_002",
    *(f"UJA_IAM_{n:03}" for n in range(1, 7)),
    *(f"UJA_EXP_{n:03}" for n in range(1, 7)),
    *(f"UJA_REL_{n:03}" for n in range(1, 4)),
    *(f"UJA_ENV_{n:03}" for n in range(1, 6)),
}
EXPECTED_GATE_IDS = {"UJA_GATE_001", "UJA_GATE_002", "UJA_WAIVER_001", "UJA_WAIVER_002"}
EXPECTED_PLAN_CHECK_IDS = {"UJA_ENC_012", "UJA_IAM_007", "UJA_REL_004", "UJA_REL_005"}
ENV_CHECKS = sorted(i for i in EXPECTED_CHECK_IDS if i.startswith("UJA_ENV_"))
PLAIN_CHECKS = sorted(EXPECTED_CHECK_IDS - set(ENV_CHECKS))

# check id -> environment -> resource -> expected result (absent: the check must not evaluate it).
ENV_EXPECTATIONS = {
    "UJA_ENV_001": {"prod": {"pitr": "PASSED", "no_pitr": "FAILED"}, "dev": {}},
    "UJA_ENV_002": {"prod": {"protected": "PASSED", "unprotected": "FAILED"}, "dev": {}},
    "UJA_ENV_003": {
        "prod": {"seven_years": "PASSED", "thirty_days": "FAILED", "ninety_days": "FAILED"},
        "dev": {"seven_years": "PASSED", "thirty_days": "PASSED", "ninety_days": "PASSED"},
    },
    "UJA_ENV_004": {"prod": {"notebook": "FAILED"}, "dev": {"notebook": "PASSED"}},
    "UJA_ENV_005": {"prod": {"four_shards": "PASSED", "one_shard": "FAILED"}, "dev": {"four_shards": "FAILED", "one_shard": "PASSED"}},
}


def _of(results: Results, check_id: str) -> dict[str, str]:
    return {name: result for (cid, directory, name), result in results.items() if cid == check_id and directory == check_id}


def test_the_set_of_policy_ids_is_the_documented_one() -> None:
    assert set(CATALOG) == EXPECTED_CHECK_IDS | EXPECTED_PLAN_CHECK_IDS | EXPECTED_GATE_IDS
    assert {c.rule.id for c in plan_checks.PLAN_CHECKS} == EXPECTED_PLAN_CHECK_IDS


def test_every_check_has_a_fixture_directory_and_nothing_else_does() -> None:
    assert {p.name for p in CHECK_FIXTURES.iterdir() if p.is_dir()} == EXPECTED_CHECK_IDS


@pytest.mark.parametrize("rule_id", sorted(CATALOG))
def test_catalogue_entry_says_what_is_required_why_and_how_to_fix(rule_id: str) -> None:
    rule = CATALOG[rule_id]
    assert rule.severity in ("CRITICAL", "HIGH", "MEDIUM", "LOW")
    assert rule.name and rule.rationale and rule.fix
    assert "\n" not in rule.rationale, "the rationale is one line"


@pytest.mark.parametrize("check_id", PLAIN_CHECKS)
def test_check_fails_failing_fixtures_and_passes_passing_ones(check_id: str, no_env_results: Results) -> None:
    got = _of(no_env_results, check_id)
    fails = {n for n in got if n.startswith("fail_")}
    passes = {n for n in got if n.startswith("pass_")}
    assert fails and passes, f"{check_id}: fixture needs pass_* and fail_* resources that the check evaluates, got {got}"
    assert {n: got[n] for n in fails} == dict.fromkeys(fails, "FAILED")
    assert {n: got[n] for n in passes} == dict.fromkeys(passes, "PASSED")


@pytest.mark.parametrize("check_id", ENV_CHECKS)
def test_per_environment_check_applies_that_environments_thresholds(check_id: str, env_results: dict[str, Results]) -> None:
    for env, expected in ENV_EXPECTATIONS[check_id].items():
        assert _of(env_results[env], check_id) == expected, f"{check_id} in {env}"
    assert "FAILED" in set().union(*(e.values() for e in ENV_EXPECTATIONS[check_id].values()))


@pytest.mark.parametrize("check_id", ENV_CHECKS)
def test_per_environment_checks_are_silent_without_an_environment(check_id: str, no_env_results: Results) -> None:
    assert _of(no_env_results, check_id) == {}


def test_every_uja_check_actually_ran_in_a_gate_scan() -> None:
    """The gate's own scan path (not a test shortcut) evaluates every UJA_ check at least once."""
    ran: set[str] = set()
    rules = gate.config.load().environments
    for env in (None, rules["dev"], rules["prod"]):
        ran |= gate.scan_hcl(CHECK_FIXTURES, env).ran
    assert ran == EXPECTED_CHECK_IDS


def test_checkov_loads_the_checks_directory_as_external_checks() -> None:
    """``checkov --external-checks-dir policies/checks`` sees every check (the package has its __init__.py)."""
    checks_dir = Path(gate.__file__).resolve().parent / "checks"
    assert (checks_dir / "__init__.py").is_file()
    code = (
        "import json, sys\n"
        "from checkov.terraform.checks.resource.registry import resource_registry as r\n"
        "r.load_external_checks(sys.argv[1])\n"
        "print(json.dumps(sorted({c.id for cs in r.checks.values() for c in cs if c.id.startswith('UJA_')})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(checks_dir)], capture_output=True, text=True, check=True)
    assert set(json.loads(out.stdout.splitlines()[-1])) == EXPECTED_CHECK_IDS


def test_plan_scan_sees_iam_documents_and_values_known_after_apply() -> None:
    """On a plan the policy JSON is known (Action * fails) and a key ARN known only after apply still counts as set."""
    result = gate.scan_plan(FIXTURES / "plan" / "dev.plan.json", None)
    failed = {(f.rule_id, f.resource) for f in result.findings if f.rule_id.startswith("UJA_")}
    assert ("UJA_IAM_001", 'module.functions.aws_iam_role_policy.this["event_processor"]') in failed
    assert not any(r == 'module.functions.aws_iam_role_policy.this["video_analyzer"]' for _, r in failed)
    assert not any(rule == "UJA_ENC_005" for rule, _ in failed)
    assert {"UJA_IAM_001", "UJA_IAM_002", "UJA_ENC_005"} <= result.ran


def test_uja_checks_are_checkov_resource_checks() -> None:
    from checkov.terraform.checks.resource.registry import resource_registry

    registered = {c.id: c for cs in resource_registry.checks.values() for c in cs if c.id.startswith("UJA_")}
    assert set(registered) == EXPECTED_CHECK_IDS
    assert all(isinstance(c, UjaCheck) for c in registered.values())
