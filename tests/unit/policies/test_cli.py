"""The CLI end to end on small trees: exit codes, environments, plans, reports, inline skips, bad HCL."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from policies import cli, config, gate
from tests.support.policies import FIXTURES, QUEUE, STREAM, run, tree


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "qa"], "--env 'qa': choose from dev, staging, prod, all"),
        (["--format", "cli,pdf"], "--format: unknown ['pdf']"),
        (["--env", "staging"], "environments/staging.tfvars does not exist"),
        (["--plan", "x.json"], "--plan needs one --env"),
        (["--env", "dev", "--plan", "missing.json"], "--plan missing.json: no such file"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(tmp_path, {"main.tf": STREAM, "environments/dev.tfvars": "shards = 1\n", "environments/prod.tfvars": "shards = 4\n"})
    code, _, err = run(capsys, str(root), *args)
    assert code == 2
    assert message in err


def test_an_environment_without_thresholds_is_refused_not_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # qa has its tfvars and backend file (an environment) but config.yaml has no environments.qa.
    files = {
        "main.tf": STREAM,
        "environments/dev.tfvars": "shards = 1\n",
        "environments/qa.tfvars": "shards = 1\n",
        "environments/qa-backend.hcl": "",
    }
    code, _, err = run(capsys, str(tree(tmp_path, files)), "--no-plans")
    assert code == 2
    assert "environments: no thresholds for qa in the policy config (environments.<name>)" in err


def test_a_directory_without_terraform_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2 and "holds no .tf files" in err


def test_each_environment_is_scanned_with_its_own_var_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path, {"main.tf": STREAM, "environments/dev.tfvars": "shards = 3\n", "environments/prod.tfvars": "shards = 4\n"})
    code, out, _ = run(capsys, str(root), "--no-plans")
    assert code == 1
    assert "== dev:" in out and "== prod:" in out
    failing = [line for line in out.splitlines() if line.strip().startswith("FAILED")]
    assert failing == [line for line in failing if "UJA_ENV_005" in line] and len(failing) == 1
    assert "aws_kinesis_stream.events" in failing[0]


def test_a_tree_without_environments_runs_once_without_a_var_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path, {"main.tf": QUEUE})
    code, out, _ = run(capsys, str(root))
    assert code == 1
    assert "== no environment:" in out and "UJA_ENC_005" in out


def test_a_nested_root_is_scanned_on_its_own_without_a_var_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nested = 'provider "aws" {\n  region = "us-east-1"\n}\n' + QUEUE
    root = tree(tmp_path, {"main.tf": STREAM, "environments/dev.tfvars": "shards = 1\n", "bootstrap/main.tf": nested})
    code, out, _ = run(capsys, str(root), "--no-plans")
    assert code == 1
    assert "== dev: " in out and "== bootstrap: " in out
    [failing] = [line for line in out.splitlines() if line.strip().startswith("FAILED")]
    assert "UJA_ENC_005" in failing and "tf/bootstrap/main.tf:5" in failing


def test_a_tree_with_nothing_to_flag_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path, {"main.tf": 'locals {\n  name = "uja"\n}\n'})
    code, out, _ = run(capsys, str(root))
    assert code == 0 and "policy gate PASSED" in out


def test_hcl_checkov_cannot_parse_is_reported_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path, {"main.tf": QUEUE, "broken.tf": 'resource "aws_sqs_queue" "x" {\n  name = \n'})
    code, out, _ = run(capsys, str(root))
    assert code == 1
    assert "UJA_GATE_002" in out and "broken.tf" in out


def test_inline_skip_comments_fail_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    skipped = QUEUE.replace(
        'resource "aws_sqs_queue" "plain" {', 'resource "aws_sqs_queue" "plain" {\n  #checkov:skip=UJA_ENC_005:not needed'
    )
    root = tree(tmp_path, {"main.tf": skipped})
    code, out, _ = run(capsys, str(root))
    assert code == 1
    assert "UJA_GATE_001" in out and "main.tf:3" in out
    # The comment is not honoured either: the finding it tried to hide is still reported.
    assert "UJA_ENC_005" in out


def test_a_given_plan_is_scanned_for_its_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path, {"main.tf": STREAM, "environments/dev.tfvars": "shards = 1\n"})
    code, out, _ = run(capsys, str(root), "--env", "dev", "--plan", str(FIXTURES / "plan" / "dev.plan.json"))
    assert code == 1
    assert 'UJA_IAM_001 [CRITICAL] module.functions.aws_iam_role_policy.this["event_processor"] (plan)' in out


def test_reports_carry_file_line_and_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path, {"main.tf": STREAM, "queue.tf": QUEUE, "environments/dev.tfvars": "shards = 3\n"})
    monkeypatch.chdir(tmp_path)
    out_dir = tmp_path / "reports"
    code, _, _ = run(capsys, str(root), "--no-plans", "--format", "sarif,junit,markdown", "--output-dir", str(out_dir))
    assert code == 1

    sarif = json.loads((out_dir / "policy.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    by_rule = {r["ruleId"]: r for r in run_["results"]}
    assert {"UJA_ENV_005", "UJA_ENC_005"} <= set(by_rule)
    location = by_rule["UJA_ENC_005"]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "tf/queue.tf"}, "region": {"startLine": 2}}
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run_["results"])

    suites = ET.parse(out_dir / "policy-junit.xml").getroot()
    dev = next(s for s in suites if s.get("name") == "policy.dev")
    failed = {c.get("name").split(":")[0] for c in dev if c.find("failure") is not None}
    assert {"UJA_ENV_005", "UJA_ENC_005"} <= failed
    assert int(dev.get("tests")) > len(failed)

    summary = (out_dir / "policy-summary.md").read_text()
    assert "| policy | severity | resource | file:line | how to fix |" in summary
    row = next(line for line in summary.splitlines() if line.startswith("| UJA_ENC_005"))
    assert "`tf/queue.tf:2`" in row and "kms_master_key_id" in row


def _waiver(**fields: object) -> dict[str, object]:
    return {
        "id": "UJA_ENC_005",
        "resource": "aws_sqs_queue.plain",
        "environments": ["dev"],
        "reason": "Fixture queue holds no user data.",
        "owner": "platform-team",
        **fields,
    }


@pytest.mark.parametrize(
    ("entries", "failing"),
    [
        ([_waiver(expires="2026-12-01")], []),
        ([_waiver(expires="2026-11-01")], ["UJA_ENC_005", "UJA_WAIVER_001"]),
        ([_waiver(expires="2026-12-01"), _waiver(resource="aws_sqs_queue.gone", expires="2026-12-01")], ["UJA_WAIVER_002"]),
    ],
)
def test_waivers_accept_findings_and_bad_or_unused_ones_fail_the_gate(entries: list[dict], failing: list[str], tmp_path: Path) -> None:
    root = tree(tmp_path, {"main.tf": QUEUE, "environments/dev.tfvars": ""})
    waivers_path = tmp_path / "waivers.yaml"
    waivers_path.write_text(yaml.safe_dump({"waivers": entries}))
    outcome = gate.run(root, [config.load().environments["dev"]], {}, dt.date(2026, 11, 25), waivers_path)
    assert sorted(f.rule_id for f in outcome.failing) == failing
    assert [f.rule_id for f in outcome.findings if f.waiver] == (["UJA_ENC_005"] if "UJA_ENC_005" not in failing else [])


def test_list_prints_every_policy_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    from policies.base import CATALOG

    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for rule in CATALOG.values():
        assert f"{rule.id}  {rule.severity:<8}  {rule.name}" in out
        assert f"why: {rule.rationale}" in out
