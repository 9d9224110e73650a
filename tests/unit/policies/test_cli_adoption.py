"""Gradual adoption and machine output: check selection, thresholds, soft fail, written waivers,
JSON, GitHub annotations, SARIF help links, ``list`` and ``--help`` without checkov."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from journey_guard.paths import REPO
from policies import adoption, catalog, cli, listing, reports, waivers
from policies.base import CATALOG
from tests.support.policies import QUEUE, STREAM, run, tree

TODAY = "2026-11-25"
# Twelve queues without a customer key: twelve UJA_ENC_005 findings, more than GitHub annotates.
QUEUES = "".join(QUEUE.replace('"plain"', f'"q{i}"').replace("uja-plain", f"uja-q{i}") for i in range(12))
# A bare bucket: built-in findings of several severities (CKV_AWS_145 HIGH, CKV_AWS_21 MEDIUM, CKV_AWS_18 LOW).
BUCKET = """
resource "aws_s3_bucket" "b" {
  bucket = "team-b"
}
"""


def failing_ids(out: str) -> set[str]:
    return {line.split()[1] for line in out.splitlines() if line.strip().startswith("FAILED")}


@pytest.fixture
def queue_tree(tmp_path: Path) -> Path:
    return tree(tmp_path, {"main.tf": QUEUE, "bucket.tf": BUCKET})


def test_check_and_skip_check_select_by_id_with_wildcards(queue_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(queue_tree), "--no-plans")
    everything = failing_ids(out)
    assert code == 1 and {"UJA_ENC_005", "CKV_AWS_18", "CKV_AWS_145"} <= everything

    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--check", "uja_enc_*")
    assert code == 1 and failing_ids(out) == {f for f in everything if f.startswith("UJA_ENC_")}

    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--skip-check", "CKV*,UJA_ENC_005")
    assert failing_ids(out) == {f for f in everything if not f.startswith("CKV") and f != "UJA_ENC_005"}

    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--check", "CKV_AWS_18", "--check", "UJA_ENC_005", "--skip-check", "CKV_*")
    assert code == 1 and failing_ids(out) == {"UJA_ENC_005"}


def test_severity_threshold_reports_lower_findings_without_failing(queue_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--severity-threshold", "high", "--format", "cli,json")
    # The JSON document starts on its own line (cli text may hold braces: fixes quote HCL, UNKNOWN lists plan-only checks).
    text, doc = out.split("\n{\n", 1)
    report = json.loads("{\n" + doc)
    by_status = {(f["id"], f["status"]) for f in report["findings"]}
    # HIGH findings fail; MEDIUM/LOW ones (built-ins mapped by category) are reported only.
    assert {("UJA_ENC_005", "FAILED"), ("CKV_AWS_145", "FAILED"), ("CKV_AWS_21", "REPORTED"), ("CKV_AWS_18", "REPORTED")} <= by_status
    reported = [f for f in report["findings"] if f["status"] == "REPORTED"]
    assert reported and all(f["severity"] in ("MEDIUM", "LOW") and not f["blocking"] for f in reported)
    assert code == 1 and "REPORTED" in text

    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--severity-threshold", "CRITICAL")
    assert code == 0 and "policy gate PASSED" in out and "REPORTED UJA_ENC_005 [HIGH]" in out


def test_soft_fail_reports_and_exits_0_but_usage_errors_still_exit_2(queue_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(queue_tree), "--no-plans", "--soft-fail")
    assert code == 0 and "FAILED UJA_ENC_005" in out and "--soft-fail" in err
    code, _, err = run(capsys, str(queue_tree), "--soft-fail", "--var-file", "missing.tfvars")
    assert code == 2 and "--var-file missing.tfvars: no such file" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--write-waivers", "w.yaml"], "--write-waivers needs --owner"),
        (["--owner", "me"], "--owner and --expires only apply with --write-waivers"),
        (["--config", "nope.yaml"], "--config nope.yaml: no such file"),
        (["--waivers", "nope.yaml"], "--waivers nope.yaml: no such file"),
        (["--format", "json,xml"], "--format: unknown ['xml']"),
    ],
)
def test_adoption_usage_errors(args: list[str], message: str, queue_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(queue_tree), "--no-plans", *args)
    assert code == 2 and message in err


def test_write_waivers_makes_a_legacy_tree_green_and_new_findings_still_fail(
    queue_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "adopt" / "waivers.yaml"
    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--write-waivers", str(path), "--owner", "data-team")
    assert code == 0 and f"to {path}" in out
    entries = waivers.load(path)
    accepted, problems = waivers.validate(entries, dt.date.fromisoformat(TODAY), {"dev", "staging", "prod"})
    assert problems == [] and len(accepted) == len(entries) >= 2
    assert {e["owner"] for e in entries} == {"data-team"}
    assert {e["expires"] for e in entries} == {"2027-02-23"}  # today + 90 days

    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--waivers", str(path))
    assert code == 0 and "policy gate PASSED" in out and "WAIVED" in out

    (queue_tree / "new.tf").write_text(QUEUE.replace('"plain"', '"fresh"'))
    code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--waivers", str(path))
    assert code == 1
    assert {line.split()[3] for line in out.splitlines() if line.strip().startswith("FAILED")} == {"aws_sqs_queue.fresh"}

    # Written again with an explicit expiry: only the new findings are appended, the old entries kept as they were.
    before = path.read_text()
    code, _, _ = run(capsys, str(queue_tree), "--no-plans", "--write-waivers", str(path), "--owner", "data-team", "--expires", "2027-01-31")
    after = waivers.load(path)
    assert code == 0 and path.read_text().startswith(before)
    assert {e["resource"] for e in after[len(entries) :]} == {"aws_sqs_queue.fresh"}
    assert {e["expires"] for e in after[len(entries) :]} == {"2027-01-31"}


def test_written_waivers_keep_an_existing_file_s_comments(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("# reviewed by security\nwaivers:\n  - id: UJA_ENC_005\n    resource: a.b\n    environments: [dev]\n")
    entry = {"id": "UJA_ENC_006", "resource": "c.d", "environments": ["dev"], "reason": "x y z", "owner": "o", "expires": "2027-01-01"}
    assert adoption.write_waivers(path, [entry]) == 1
    assert path.read_text().startswith("# reviewed by security\n")
    assert [e["id"] for e in waivers.load(path)] == ["UJA_ENC_005", "UJA_ENC_006"]
    assert adoption.write_waivers(path, [entry]) == 0


def test_json_report_has_a_stable_versioned_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(tmp_path, {"main.tf": STREAM, "queue.tf": QUEUE, "environments/dev.tfvars": "shards = 3\n"})
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, str(root), "--no-plans", "--format", "json", "--output-dir", str(tmp_path / "out"))
    doc = json.loads((tmp_path / "out" / "policy.json").read_text())
    assert code == 1
    assert (doc["schema"], doc["version"], doc["passed"]) == ("journey-guard/policy-report", 1, False)
    assert set(doc["summary"]) == {"FAILED", "UNKNOWN", "REPORTED", "WAIVED"}
    assert [u["name"] for u in doc["units"]] == ["dev"]
    keys = {
        "id",
        "name",
        "severity",
        "status",
        "blocking",
        "unit",
        "environment",
        "source",
        "resource",
        "file",
        "line",
        "fix",
        "waiver",
        "help_uri",
    }
    assert all(set(f) == keys for f in doc["findings"])
    enc = next(f for f in doc["findings"] if f["id"] == "UJA_ENC_005")
    assert (enc["file"], enc["line"], enc["status"], enc["blocking"], enc["environment"]) == ("tf/queue.tf", 2, "FAILED", True, "dev")
    assert doc["summary"]["FAILED"] == len([f for f in doc["findings"] if f["blocking"]])


def test_github_format_annotates_ten_and_puts_every_finding_in_the_job_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(tmp_path, {"main.tf": QUEUES})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, str(root), "--no-plans", "--format", "github", "--output-dir", str(tmp_path / "out"))
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert code == 1 and len(annotations) == reports.GITHUB_ANNOTATIONS
    assert annotations[0].startswith("::error file=tf/main.tf,line=")
    assert all("title=" in a and "Fix: " in a for a in annotations)
    total = len([line for line in summary.read_text().splitlines() if line.startswith("| UJA_") or line.startswith("| CKV")])
    assert total > reports.GITHUB_ANNOTATIONS
    assert f"({total - reports.GITHUB_ANNOTATIONS} more in the job summary)" in out


def test_github_annotation_text_is_escaped() -> None:
    assert reports._escape("a%b\nc") == "a%25b%0Ac"
    assert reports._escape("dir/a:b,c.tf", prop=True) == "dir/a%3Ab%2Cc.tf"


def test_sarif_rules_link_absolutely_into_the_generated_docs(
    queue_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/infra")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    run(capsys, str(queue_tree), "--no-plans", "--format", "sarif", "--output-dir", str(tmp_path / "out"))
    rules = {r["id"]: r for r in json.loads((tmp_path / "out" / "policy.sarif").read_text())["runs"][0]["tool"]["driver"]["rules"]}
    base = "https://github.com/acme/infra/blob/abc123/docs/policies.md"
    assert rules["UJA_ENC_005"]["helpUri"] == f"{base}#uja_enc_005"
    assert rules["CKV_AWS_18"]["helpUri"] == f"{base}#{reports.BUILTIN_ANCHOR}"
    docs = (REPO / "docs" / "policies.md").read_text()
    assert "## UJA_ENC_005" in docs and f"## {listing.BUILTIN_TITLE}" in docs
    assert listing.BUILTIN_TITLE.lower().replace(" ", "-") == reports.BUILTIN_ANCHOR


def test_docs_policies_md_is_current() -> None:
    assert (REPO / "docs" / "policies.md").read_text() == listing.markdown(), (
        "docs/policies.md is stale: python -m policies list --format markdown > docs/policies.md"
    )


def test_the_static_catalogue_is_the_one_checkov_loads() -> None:
    assert catalog.static_catalog() == dict(sorted(CATALOG.items()))


def test_cli_and_reports_name_the_same_formats() -> None:
    assert cli.FORMATS == reports.FORMATS


@pytest.mark.parametrize(
    "args", [["--help"], ["check", "--help"], ["list"], ["list", "--format", "markdown"], ["list", "--format", "json"]]
)
def test_help_and_list_work_in_a_bare_python(args: list[str]) -> None:
    # -S: no site-packages at all (no checkov, no PyYAML): only the standard library and the repository.
    done = subprocess.run([sys.executable, "-S", "-m", "policies", *args], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "UJA_IAM_001" in done.stdout or "usage:" in done.stdout


def test_list_json_names_every_policy_and_the_builtin_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in doc["policies"]] == sorted(CATALOG)
    assert doc["builtin_severity"]["ENCRYPTION"] == "HIGH"


def test_builtin_checks_get_a_severity_from_their_category() -> None:
    from policies import severity

    assert severity.builtin("CKV_AWS_27") == "HIGH"  # encryption
    assert severity.builtin("CKV_AWS_18") == "LOW"  # S3 access logging
    assert severity.builtin("CKV_AWS_27", "CRITICAL") == "CRITICAL"  # checkov's own, when it has one
    assert severity.builtin("CKV_NOPE_1") == severity.DEFAULT


def test_config_flag_selects_another_policy_config(queue_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = yaml.safe_load((REPO / "policies" / "config.yaml").read_text())
    raw["builtin_skips"]["CKV_AWS_18"] = "This team's buckets hold public data only."
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    try:
        code, out, _ = run(capsys, str(queue_tree), "--no-plans", "--config", str(path))
    finally:
        from policies import config

        config.use(config.CONFIG_PATH)
    assert code == 1 and "CKV_AWS_18" not in out and "CKV_AWS_21" in out


def test_sarif_upload_cannot_turn_a_passing_gate_red() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "pre-merge.yml").read_text())
    steps = workflow["jobs"]["gate"]["steps"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["continue-on-error"] is True
    assert steps.index(upload) > next(i for i, s in enumerate(steps) if s.get("run") == "./run nox -s gate")
