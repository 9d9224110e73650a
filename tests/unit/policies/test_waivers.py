"""Waiver validation with injected dates, and how waivers match findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from policies import gate, waivers

TODAY = dt.date(2026, 11, 25)
ENVS = {"dev", "staging", "prod"}
ADDRESS = 'module.storage.aws_s3_bucket_server_side_encryption_configuration.this["access_logs"]'


def entry(**overrides: object) -> dict[str, object]:
    base = {
        "id": "UJA_ENC_001",
        "resource": ADDRESS,
        "environments": ["dev", "prod"],
        "reason": "S3 log delivery cannot write SSE-KMS targets.",
        "owner": "platform-team",
        "expires": "2026-12-31",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def finding(resource: str = ADDRESS, env: str | None = "dev", source: str = "plan", rule: str = "UJA_ENC_001") -> gate.Finding:
    return gate.Finding(rule, "name", "HIGH", env, source, resource, "modules/storage/main.tf", 85, "fix")


def test_a_complete_unexpired_waiver_is_valid() -> None:
    valid, problems = waivers.validate([entry()], TODAY, ENVS)
    assert problems == []
    assert valid[0].expires == dt.date(2026, 12, 31) and valid[0].environments == ("dev", "prod")


def test_a_waiver_expiring_today_is_still_valid_and_fails_the_day_after() -> None:
    assert waivers.validate([entry(expires="2026-11-25")], TODAY, ENVS)[1] == []
    _, problems = waivers.validate([entry(expires="2026-11-25")], TODAY + dt.timedelta(days=1), ENVS)
    assert [p.rule.id for p in problems] == ["UJA_WAIVER_001"]
    assert "expired on 2026-11-25" in problems[0].message


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": None}, "missing reason"),
        ({"reason": "   "}, "reason must say why"),
        ({"reason": "because"}, "reason must say why"),
        ({"owner": None}, "missing owner"),
        ({"environments": []}, "missing environments"),
        ({"environments": ["qa"]}, "unknown environment 'qa'"),
        ({"environments": "prod"}, "environments must be a list of environment names or all"),
        ({"expires": None}, "needs exactly one of expires"),
        ({"spec_ref": "section 3"}, "needs exactly one of expires"),
        ({"expires": "next year"}, "is not a YYYY-MM-DD date"),
        ({"id": "ENC-1"}, "is not a policy id"),
        ({"ticket": "JIRA-1"}, "unknown field ticket"),
    ],
)
def test_an_incomplete_waiver_is_rejected_with_the_field_named(overrides: dict[str, object], message: str) -> None:
    valid, problems = waivers.validate([entry(**overrides)], TODAY, ENVS)
    assert valid == []
    assert len(problems) == 1 and problems[0].rule.id == "UJA_WAIVER_001"
    assert message in problems[0].message and "waivers[0]" in problems[0].message


def test_spec_ref_makes_a_waiver_permanent() -> None:
    valid, problems = waivers.validate([entry(expires=None, spec_ref="system.md section 3")], dt.date(2999, 1, 1), ENVS)
    assert problems == [] and valid[0].spec_ref == "system.md section 3"


def test_environments_all_covers_every_configured_environment() -> None:
    valid, problems = waivers.validate([entry(environments="all")], TODAY, ENVS | {"qa"})
    assert problems == [] and valid[0].environments == ("dev", "prod", "qa", "staging")
    out, _ = gate.apply_waivers([finding(env="qa"), finding(env="staging")], valid)
    assert all(f.waiver is not None for f in out)


def test_a_waiver_accepts_its_finding_and_only_in_its_environments() -> None:
    valid, _ = waivers.validate([entry()], TODAY, ENVS)
    out, used = gate.apply_waivers([finding(env="dev"), finding(env="staging"), finding(rule="UJA_ENC_005")], valid)
    assert [f.waiver is not None for f in out] == [True, False, False]
    assert used == {0}


def test_an_hcl_finding_without_instance_keys_matches_the_waivers_plan_address() -> None:
    valid, _ = waivers.validate([entry()], TODAY, ENVS)
    out, _ = gate.apply_waivers([finding(resource="aws_s3_bucket_server_side_encryption_configuration.this", source="hcl")], valid)
    assert out[0].waiver is not None
    other, _ = gate.apply_waivers([finding(resource="aws_s3_bucket_policy.this", source="hcl")], valid)
    assert other[0].waiver is None


def test_an_unused_waiver_is_reported_only_for_environments_that_were_scanned() -> None:
    valid, _ = waivers.validate([entry(environments=["prod"])], TODAY, ENVS)
    assert waivers.unused(valid, set(), {"dev"}) == []
    problems = waivers.unused(valid, set(), {"dev", "prod"})
    assert [p.rule.id for p in problems] == ["UJA_WAIVER_002"] and "prod" in problems[0].message
    assert waivers.unused(valid, {0}, {"prod"}) == []


def test_waiver_problems_point_at_their_line_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers": [entry(), entry(reason=None)]}, sort_keys=False))
    _, problems = waivers.validate(waivers.load(path), TODAY, ENVS)
    [found] = gate.waiver_findings(problems, path)
    assert found.resource == "waivers[1]" and found.rule_id == "UJA_WAIVER_001"
    assert path.read_text().splitlines()[found.line - 1].startswith("- ")


def test_an_unreadable_waivers_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers: {not: a list}\n")
    with pytest.raises(waivers.WaiverFileError, match=r"waivers\.yaml: expected a mapping with a 'waivers' list"):
        waivers.load(path)


def test_the_repository_waivers_are_valid_and_each_has_a_reason() -> None:
    valid, problems = waivers.validate(waivers.load(), TODAY, ENVS)
    assert problems == []
    assert all(w.reason and w.owner for w in valid)


def test_an_hcl_finding_is_expanded_to_the_planned_instances_so_each_is_waived_on_its_own() -> None:
    hcl = gate.ScanResult(
        "dev", findings=[finding(resource="module.storage.aws_s3_bucket_server_side_encryption_configuration.this", source="hcl")]
    )
    other = ADDRESS.replace("access_logs", "event_logs")
    expanded = gate.expand(hcl, [ADDRESS, other, 'module.storage.aws_s3_bucket.this["access_logs"]']).findings
    assert [f.resource for f in expanded] == [ADDRESS, other]
    valid, _ = waivers.validate([entry()], TODAY, ENVS)
    out, used = gate.apply_waivers(expanded, valid)
    assert [f.waiver is not None for f in out] == [True, False] and used == {0}
