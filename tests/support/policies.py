"""The policy tests' fixture files (tests/unit/policies/fixtures) and checkov's verdicts on them.

Imported in the policy virtualenv only (checkov's pins). Each directory of ``CHECK_FIXTURES`` is
named by the check it exercises; its resources are the failing and passing cases (``fail_*`` /
``pass_*``; the per-environment checks name their expectations in ``ENV_EXPECTATIONS``).
"""

from __future__ import annotations

from pathlib import Path

from policies import config, gate

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
