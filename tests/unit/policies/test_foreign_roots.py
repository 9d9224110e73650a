"""Other teams' Terraform: roots found under a directory, scanned on HCL and on hermetic plans.

The fixture roots (fixtures/roots/) are shaped as different teams write them:
- ``aliased``: one file, two regions, an aliased provider with ``assume_role``, a ``profile``, an
  IAM policy from ``aws_iam_policy_document`` over ``aws_caller_identity`` (answered by moto), no lock file;
- ``modular``: a ``for_each`` module call, a legacy child module with its own provider block in
  another region, ``aws_region``/``aws_availability_zones`` data sources;
- ``layered``: two roots (``live/app``, ``live/network``) sharing a module called with ``count``,
  one needing a variable only a var file sets;
- ``unplannable``: a google provider, a registry module source, an SSM parameter moto does not have.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies import cli, roots
from tests.support.policies import FIXTURES

pytestmark = pytest.mark.slow
ROOTS = FIXTURES / "roots"


def report(tmp: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = cli.main(["check", *args, "--format", "json", "--output-dir", str(tmp), "--today", "2026-11-25"])
    capsys.readouterr()
    return code, json.loads((tmp / "policy.json").read_text())


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict]:
    out = tmp_path_factory.mktemp("roots")
    code = cli.main(["check", str(ROOTS), "--format", "json", "--output-dir", str(out), "--today", "2026-11-25"])
    return code, json.loads((out / "policy.json").read_text())


def findings(doc: dict, unit: str, source: str | None = None) -> dict[tuple[str, str], str]:
    """(policy, resource) -> file:line of the unit's findings (from ``source`` only when given)."""
    return {
        (f["id"], f["resource"]): f"{f['file']}:{f['line']}"
        for f in doc["findings"]
        if f["unit"] == unit and (source is None or f["source"] == source)
    }


def notes(doc: dict, unit: str) -> str:
    return " ".join(next(u for u in doc["units"] if u["name"] == unit)["notes"])


def test_a_folder_is_a_root_only_if_no_other_root_calls_it(scanned: tuple[int, dict]) -> None:
    _, doc = scanned
    assert [u["name"] for u in doc["units"]] == [
        "aliased",
        "layered/live/app",
        "layered/live/network",
        "modular",
        "unplannable/other",
        "unplannable/remote",
        "unplannable/ssm",
    ]


def test_aliased_providers_assume_role_and_policy_documents_are_planned(scanned: tuple[int, dict]) -> None:
    code, doc = scanned
    assert code == 1
    plan = findings(doc, "aliased", "plan")
    where = "tests/unit/policies/fixtures/roots/aliased/main.tf"
    # s3:* in a policy document built from the caller's account id: only the plan knows it.
    assert plan[("UJA_IAM_001", "aws_iam_role_policy.reader")] == f"{where}:43"
    assert findings(doc, "aliased")[("UJA_ENC_006", "aws_sns_topic.alerts")] == f"{where}:49"
    # Built-in checks run on the plan too; the one finding both scans report is kept once, the plan's.
    assert findings(doc, "aliased", "plan")[("CKV_AWS_26", "aws_sns_topic.alerts")] == f"{where}:49"
    assert ("CKV_AWS_26", "aws_sns_topic.alerts") not in findings(doc, "aliased", "hcl")
    assert 'data.aws_caller_identity.current (account_id="123456789012"' in notes(doc, "aliased") and "moto" in notes(doc, "aliased")


def test_for_each_modules_and_a_provider_in_a_child_module_are_planned(scanned: tuple[int, dict]) -> None:
    _, doc = scanned
    plan = findings(doc, "modular", "plan")
    queue = "tests/unit/policies/fixtures/roots/modular/modules/queue/main.tf:9"
    assert plan[("UJA_ENC_005", 'module.queues["orders"].aws_sqs_queue.this')] == queue
    assert plan[("UJA_ENC_005", 'module.queues["refunds"].aws_sqs_queue.this')] == queue
    assert findings(doc, "modular")[("UJA_KMS_001", "module.legacy.aws_kms_key.legacy")].endswith("modular/modules/legacy/main.tf:6")
    assert 'data.aws_availability_zones.available (names=["us-east-1a"' in notes(doc, "modular")
    assert 'data.aws_region.current (name="us-east-1"' in notes(doc, "modular")


def test_a_module_called_with_count_from_two_roots_is_checked_in_each(scanned: tuple[int, dict]) -> None:
    _, doc = scanned
    bucket = "tests/unit/policies/fixtures/roots/layered/modules/bucket/main.tf"
    network = findings(doc, "layered/live/network", "plan")
    assert network[("UJA_EXP_001", "module.flow_logs.aws_s3_bucket_public_access_block.this")] == f"{bucket}:9"
    assert network[("UJA_ENC_012", "module.flow_logs.aws_s3_bucket.this")] == f"{bucket}:5"
    # app needs a variable nobody set: its HCL is still scanned, its plan is not, and the report says why.
    assert ("UJA_EXP_001", "module.assets[0].aws_s3_bucket_public_access_block.this") in findings(doc, "layered/live/app", "hcl")
    assert "plan-only checks UNKNOWN (UJA_ENC_012, " in notes(doc, "layered/live/app")
    assert "): required variable(s) not set: environment (pass --var-file)" in notes(doc, "layered/live/app")


@pytest.mark.parametrize(
    ("unit", "reason"),
    [
        ("unplannable/other", "provider(s) other than aws (google)"),
        ("unplannable/remote", "module source(s) terraform-aws-modules/s3-bucket/aws cannot be fetched"),
        ("unplannable/ssm", "reading SSM Parameter (/team/queue-name)"),
    ],
)
def test_an_impossible_plan_says_why_and_leaves_the_hcl_findings(scanned: tuple[int, dict], unit: str, reason: str) -> None:
    _, doc = scanned
    assert "plan-only checks UNKNOWN" in notes(doc, unit) and reason in notes(doc, unit)
    assert not findings(doc, unit, "plan") or all(
        f["status"] == "UNKNOWN" for f in doc["findings"] if f["unit"] == unit and f["source"] == "plan"
    )
    if unit != "unplannable/remote":
        assert any(key[0] == "UJA_ENC_005" for key in findings(doc, unit, "hcl"))


def test_a_required_variable_is_set_by_var_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = ROOTS / "layered" / "live" / "app"
    code, doc = report(tmp_path, capsys, str(app), "--var-file", str(app / "app.tfvars"))
    assert code == 1 and doc["units"][0]["notes"] == []
    plan = findings(doc, None, "plan")  # the directory given is the root itself: no scope
    assert plan[("UJA_ENC_012", "module.assets[0].aws_s3_bucket.this")].endswith("layered/modules/bucket/main.tf:5")


def test_discovery_follows_local_module_calls_only(tmp_path: Path) -> None:
    (tmp_path / "stacks" / "a").mkdir(parents=True)
    (tmp_path / "shared" / "nested").mkdir(parents=True)
    (tmp_path / "stacks" / "a" / "main.tf").write_text(
        'module "s" {\n  source = "../../shared"\n  tags = { source = "not-a-call" }\n}\n'
        'module "r" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'
    )
    (tmp_path / "shared" / "main.tf").write_text('module "n" {\n  source = "./nested"\n}\n')
    (tmp_path / "shared" / "nested" / "main.tf").write_text('resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    (tmp_path / ".terraform" / "modules" / "x").mkdir(parents=True)
    (tmp_path / ".terraform" / "modules" / "x" / "main.tf").write_text("")
    assert roots.discover(tmp_path) == [(tmp_path / "stacks" / "a").resolve()]
    assert roots.remote_sources(tmp_path / "stacks" / "a") == ["terraform-aws-modules/vpc/aws"]


def test_terraform_errors_become_one_line_reasons() -> None:
    assert roots.terraform_reason('Error: No value for required variable\n on main.tf line 2:\n variable "env" is required') == (
        "required variable(s) not set: env (pass --var-file)"
    )
    assert roots.terraform_reason("│ Error: reading SSM Parameter (/x): couldn't find resource\n│ with data...") == (
        "reading SSM Parameter (/x): couldn't find resource"
    )


def test_roots_with_the_same_addresses_keep_their_own_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queue = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
    (tmp_path / "envs" / "dev").mkdir(parents=True)
    (tmp_path / "envs" / "prod").mkdir(parents=True)
    (tmp_path / "envs" / "dev" / "main.tf").write_text(queue)
    # prod cannot be planned (a required variable): its HCL finding must not be taken for dev's plan finding.
    (tmp_path / "envs" / "prod" / "main.tf").write_text('variable "tier" {\n  type = string\n}\n\n' + queue)
    code, doc = report(tmp_path / "out", capsys, str(tmp_path / "envs"))
    assert code == 1
    assert sorted((f["unit"], f["source"]) for f in doc["findings"] if f["id"] == "UJA_ENC_005") == [("dev", "plan"), ("prod", "hcl")]


def test_a_plan_finding_without_an_hcl_record_points_at_its_resource_block(tmp_path: Path) -> None:
    from policies import gate

    plan = tmp_path / "plan.json"
    config = {"root_module": {"module_calls": {"queues": {"source": "./modules/queue", "module": {}}}}}
    plan.write_text(json.dumps({"configuration": config}))
    found = gate.Finding("UJA_REL_004", "n", "HIGH", None, "plan", 'module.queues["orders"].aws_sqs_queue.this', str(plan), 0, "fix")
    located = roots.declared_at(found, ROOTS / "modular", plan)
    assert (located.file, located.line) == ("modules/queue/main.tf", 9)
    remote = gate.Finding("UJA_REL_004", "n", "HIGH", None, "plan", "module.other.aws_sqs_queue.this", str(plan), 0, "fix")
    assert roots.declared_at(remote, ROOTS / "modular", plan) == remote


def test_a_given_plan_is_scanned_for_a_single_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n')
    code, doc = report(tmp_path / "out", capsys, str(root), "--plan", str(FIXTURES / "plan" / "dev.plan.json"))
    assert code == 1
    assert ("UJA_IAM_001", 'module.functions.aws_iam_role_policy.this["event_processor"]') in findings(doc, None, "plan")
    code = cli.main(["check", str(ROOTS), "--plan", str(FIXTURES / "plan" / "dev.plan.json")])
    assert code == 2 and "is not one root (it holds 7)" in capsys.readouterr().err
