"""The policy tests' fixture files (tests/unit/policies/fixtures), checkov's verdicts on them, and
the command line run on small trees.

Imported in the policy virtualenv only (checkov's pins). Each directory of ``CHECK_FIXTURES`` is
named by the check it exercises; its resources are the failing and passing cases (``fail_*`` /
``pass_*``; the per-environment checks name their expectations in ``ENV_EXPECTATIONS``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import cli, config, gate

FIXTURES = Path(__file__).resolve().parents[1] / "unit" / "policies" / "fixtures"
CHECK_FIXTURES = FIXTURES / "checks"

# (check id, fixture directory, resource name) -> "PASSED" / "FAILED"
Results = dict[tuple[str, str, str], str]


def check_results(env: config.EnvironmentRules | None) -> Results:
    """Every check's verdict on every resource of ``CHECK_FIXTURES``, scanned with ``env``'s rules (or none)."""
    out: Results = {}
    for report in gate.hcl_reports(CHECK_FIXTURES, env):
        for record in report.passed_checks + report.failed_checks:
            directory = Path(record.file_path.lstrip("/")).parts[0]
            name = record.resource.rsplit(".", 1)[-1]
            out[(record.check_id, directory, name)] = record.check_result["result"].name
    return out


# Small trees for the command line's tests.
STREAM = """
variable "shards" {
  type = number
}

resource "aws_kinesis_stream" "events" {
  name            = "uja-user-events"
  shard_count     = var.shards
  encryption_type = "KMS"
  kms_key_id      = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
}
"""
QUEUE = """
resource "aws_sqs_queue" "plain" {
  name                    = "uja-plain"
  sqs_managed_sse_enabled = true
}
"""


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "tf"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", *args, "--today", "2026-11-25"])
    out = capsys.readouterr()
    return code, out.out, out.err
