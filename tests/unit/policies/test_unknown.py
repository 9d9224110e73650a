"""UNKNOWN is visible: a check that cannot decide on HCL and on the plan is reported in every
format, and ``--strict`` fails on it; built-in plan verdicts known to be wrong yield to HCL's."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from policies import cli, gate
from tests.support.policies import FIXTURES

UNDECIDABLE = """
variable "bucket_arn" {
  type = string
}

resource "aws_iam_policy" "reader" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = var.bucket_arn }]
  })
}
"""


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tf"
    root.mkdir()
    (root / "main.tf").write_text(UNDECIDABLE)
    return root


def test_an_undecidable_policy_is_unknown_in_every_format_and_strict_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    out_dir = tmp_path / "reports"
    args = ["check", str(root), "--no-plans", "--format", "cli,sarif,junit,markdown", "--output-dir", str(out_dir), "--today", "2026-11-25"]
    assert cli.main(args) == 0  # not a finding...
    out = capsys.readouterr().out
    assert "UNKNOWN UJA_IAM_002 [HIGH] aws_iam_policy.reader (hcl) at tf/main.tf:6" in out
    # IAM_001, IAM_002, IAM_003 cannot read the document (and, with --no-plans, the plan-only checks are UNKNOWN too).
    assert {"UJA_IAM_001", "UJA_IAM_002", "UJA_IAM_003"} <= {line.split()[1] for line in out.splitlines() if line.startswith("  UNKNOWN ")}
    assert "policy gate PASSED: 0 finding(s)" in out
    assert cli.main([*args, "--strict"]) == 1  # ...but never a silent pass under --strict

    results = json.loads((out_dir / "policy.sarif").read_text())["runs"][0]["results"]
    unknown = [r for r in results if r["ruleId"] == "UJA_IAM_002"]
    assert [(r["kind"], r["level"]) for r in unknown] == [("review", "none")]
    assert unknown[0]["message"]["text"].startswith("UNKNOWN: ")

    suite = next(s for s in ET.parse(out_dir / "policy-junit.xml").getroot() if s.get("name") == "policy.no environment")
    errors = {c.get("name").split(":")[0] for c in suite if c.find("error") is not None}
    assert {"UJA_IAM_001", "UJA_IAM_002", "UJA_IAM_003"} <= errors and suite.get("errors") == str(len(errors))

    summary = (out_dir / "policy-summary.md").read_text()
    assert re.search(r"0 failing, 0 waived, ([3-9]|\d\d) unknown", summary)
    assert any(line.startswith("| UJA_IAM_002") and "(UNKNOWN)" in line for line in summary.splitlines())


def _result(source: str, decided=(), undecided=(), findings=()) -> gate.ScanResult:
    result = gate.ScanResult("dev", findings=list(findings))
    result.decided = set(decided)
    result.undecided = dict.fromkeys(undecided, 3)
    result.locations = {"module.m.aws_iam_policy.p": ("modules/m/main.tf", 7)}
    return result


def test_the_plan_decides_what_hcl_could_not_and_only_both_undecided_is_unknown() -> None:
    hcl = _result("hcl", undecided=[("UJA_IAM_002", "module.m.aws_iam_policy.p")])
    decided = _result("plan", decided=[("UJA_IAM_002", 'module.m.aws_iam_policy.p["a"]')])
    assert gate.unknowns(hcl, decided) == []
    assert [f.status for f in gate.unknowns(hcl, None)] == ["UNKNOWN"]
    open_on_plan = _result("plan", undecided=[("UJA_IAM_002", 'module.m.aws_iam_policy.p["a"]')])
    [found] = gate.unknowns(hcl, open_on_plan)
    assert (found.source, found.resource, found.file, found.line) == ("plan", 'module.m.aws_iam_policy.p["a"]', "modules/m/main.tf", 7)
    hcl_decided = _result("hcl", decided=[("UJA_IAM_002", "module.m.aws_iam_policy.p")])
    assert gate.unknowns(hcl_decided, open_on_plan) == []


def _finding(rule_id: str, resource: str) -> gate.Finding:
    return gate.Finding(rule_id, "n", "MEDIUM", "dev", "plan", resource, "plan.json", 0, "fix")


def test_a_known_wrong_plan_verdict_yields_to_hcl_only_where_hcl_judged_the_resource() -> None:
    bucket = 'module.storage.aws_s3_bucket.this["raw"]'
    planned = _result(
        "plan", findings=[_finding("CKV_AWS_21", bucket), _finding("CKV_AWS_21", "aws_s3_bucket.elsewhere"), _finding("CKV_AWS_20", bucket)]
    )
    hcl = _result("hcl", decided=[("CKV_AWS_21", "module.storage.aws_s3_bucket.this"), ("CKV_AWS_20", "module.storage.aws_s3_bucket.this")])
    kept = gate.known_wrong_on_plan(planned, hcl).findings
    # CKV_AWS_21 is listed (config.yaml builtin_plan_exceptions): dropped where HCL decided; CKV_AWS_20 is not listed.
    assert [(f.rule_id, f.resource) for f in kept] == [("CKV_AWS_21", "aws_s3_bucket.elsewhere"), ("CKV_AWS_20", bucket)]


def test_a_scan_never_sees_an_earlier_plans_iam_documents(tmp_path: Path) -> None:
    """checkov caches IAM documents by entity path for CKV_AWS_286-290: each for_each instance, and each
    of two plans written to the same path (as every rendered plan is), is judged on its own document."""
    raw = json.loads((FIXTURES / "plan" / "dev.plan.json").read_text())
    address = 'module.functions.aws_iam_role_policy.this["video_analyzer"]'
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}]}
    escalating = json.loads(json.dumps(raw))
    for change in escalating["resource_changes"]:
        if change["address"] == address:
            change["change"]["after"]["policy"] = json.dumps(document)
    for module in escalating["planned_values"]["root_module"].get("child_modules", []):
        for resource in module.get("resources", []):
            if resource["address"] == address:
                resource["values"]["policy"] = json.dumps(document)
    path = tmp_path / "dev.plan.json"
    results = []
    for plan in (escalating, raw):
        path.write_text(json.dumps(plan))
        results.append({(f.rule_id, f.resource) for f in gate.scan_plan(path, None).findings})
    assert ("CKV_AWS_286", address) in results[0]
    assert ("CKV_AWS_286", address) not in results[1]
    # event_processor (Action "*") escalates; its sibling instance video_analyzer (sqs:SendMessage) does not.
    assert ("CKV_AWS_286", address.replace("video_analyzer", "event_processor")) in results[1]
