"""Drift reports from plan JSON recorded in the moto integration run, and ``deploy.sh ENV drift``'s exit codes.

The fixtures are the trimmed plans of ``tests/integration/test_4_drift.py`` after its five
out-of-band changes (a queue's visibility timeout, a table's tag, a deleted alarm, a statement
added to a bucket policy, a function's memory), copied from ``build/integration/drift-plans/``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from journey_guard.ops import drift
from tests.support.deploy_sh import DEPLOY, fake_terraform

FIXTURES = Path(__file__).parent / "fixtures" / "drift"
FUNCTION = 'module.functions.aws_lambda_function.this["event_processor"]'
QUEUE = 'module.messaging.aws_sqs_queue.this["struggle_signals"]'
ALARM = 'module.monitoring.aws_cloudwatch_metric_alarm.this["event_processor_errors"]'
POLICY = 'module.storage.aws_s3_bucket_policy.this["event_logs"]'
TABLE = 'module.tables.aws_dynamodb_table.this["user_profiles"]'


def recorded(name: str) -> dict[str, Any]:
    """``drift-refresh-only``/``drift-code`` after the changes, ``converged-drift-refresh-only`` after the re-apply."""
    prefix = "" if name.startswith("converged") else "drifted-"
    return json.loads((FIXTURES / f"dev-{prefix}{name}.json").read_text())


class Recorded:
    """A planner answering with the recorded plans (what ``check`` asks for, in its order)."""

    def __init__(self, **plans: dict[str, Any] | None) -> None:
        self.plans, self.asked = plans, []

    def plan_json(self, name: str, *flags: str) -> dict[str, Any] | None:
        self.asked.append((name, flags))
        return self.plans[name]


def _recorded_report() -> tuple[drift.Report, Recorded]:
    planner = Recorded(**{"drift-refresh-only": recorded("drift-refresh-only"), "drift-code": recorded("drift-code")})
    return drift.check(planner, "dev"), planner


def test_recorded_refresh_only_plan_names_exactly_the_five_changes() -> None:
    report, planner = _recorded_report()
    assert planner.asked == [("drift-refresh-only", ("-refresh-only",)), ("drift-code", ("-refresh=false",))]
    assert report.drifted() == {
        FUNCTION: {"memory_size"},
        QUEUE: {"visibility_timeout_seconds"},
        ALARM: {drift.WHOLE_RESOURCE},
        POLICY: {"policy.Statement"},
        TABLE: {"tags.drift-probe", "tags_all.drift-probe"},
    }
    rows = {(r.address, a.attribute): (a.state, a.cloud) for r in report.cloud_drift for a in r.attributes}
    assert rows[(FUNCTION, "memory_size")] == (512, 640)
    assert rows[(QUEUE, "visibility_timeout_seconds")] == (180, 197)
    assert rows[(ALARM, drift.WHOLE_RESOURCE)] == ("present", None)
    assert rows[(TABLE, "tags.drift-probe")] == (None, "out-of-band")
    state, cloud = rows[(POLICY, "policy.Statement")]
    assert [s.get("Sid") for s in cloud if s not in state] == ["DriftProbe"] and len(cloud) == len(state) + 1
    # The Markdown shows the added statement, not the start of two long lists.
    row = next(line for line in report.markdown().splitlines() if POLICY in line)
    assert f"`{len(state)} shared, only here: []`" in row and '"Sid": "DriftProbe"' in row
    assert report.exit_code == drift.EXIT_CLOUD_DRIFT and report.pending_code == []


def test_attributes_the_code_does_not_set_are_information_not_drift() -> None:
    report, _ = _recorded_report()
    computed = {r.address: {a.attribute for a in r.computed} for r in report.computed_changes}
    # The bucket reads back the policy aws_s3_bucket_policy manages: empty in the state at creation.
    assert "policy" in computed['module.storage.aws_s3_bucket.this["event_logs"]']
    assert not set(computed) & set(report.drifted())
    assert "Also changed in the cloud, not set by the code" in report.markdown()


def test_after_the_reapply_the_check_is_clean_though_terraform_saw_a_change() -> None:
    # Recorded after the re-apply: the bucket refreshed before its policy resource restored the
    # policy, so its computed `policy` still holds the probe statement. Not drift: no code sets it.
    converged = recorded("converged-drift-refresh-only")
    assert converged["resource_drift"], "the recording should hold the bucket's computed policy"
    report = drift.check(Recorded(**{"drift-refresh-only": converged, "drift-code": None}), "dev")
    assert report.exit_code == drift.EXIT_CLEAN, report.markdown()
    assert [r.address for r in report.computed_changes] == ['module.storage.aws_s3_bucket.this["event_logs"]']


def test_without_a_configuration_every_changed_attribute_counts() -> None:
    plan = recorded("drift-refresh-only")
    del plan["configuration"]
    drifted, computed = drift.cloud_drift(plan)
    assert computed == [] and 'module.storage.aws_s3_bucket.this["event_logs"]' in {r.address for r in drifted}


def _entry(address: str, before: Any, after: Any, **extra: Any) -> dict[str, Any]:
    return {"address": address, "type": "aws_x", "change": {"actions": ["update"], "before": before, "after": after, **extra}}


def test_sensitive_values_are_masked_and_json_documents_opened() -> None:
    plan = {
        "format_version": "1.2",
        "resource_drift": [
            _entry("aws_x.secret", {"password": "old", "n": 1}, {"password": "new", "n": 1}, before_sensitive={"password": True}),
            _entry("aws_x.doc", {"policy": '{"A": [1, 2]}'}, {"policy": '{"A": [1, 3]}'}),
            _entry("aws_x.same", {"block": None}, {"block": []}),
        ],
    }
    drifted, _ = drift.cloud_drift(plan)
    assert [(r.address, a.attribute, a.state, a.cloud) for r in drifted for a in r.attributes] == [
        ("aws_x.doc", "policy.A[1]", 2, 3),
        ("aws_x.secret", "password", "(sensitive)", "new"),
    ]


def test_exit_codes_and_the_json_round_trip() -> None:
    pending = [drift.PendingChange("aws_x.a", ("update",))]
    assert drift.Report("dev").exit_code == drift.EXIT_CLEAN
    assert drift.Report("dev", pending_code=pending).exit_code == drift.EXIT_PENDING_CODE
    report, _ = _recorded_report()
    both = drift.Report("dev", report.cloud_drift, pending, report.computed_changes)
    assert both.exit_code == drift.EXIT_CLOUD_DRIFT
    assert drift.Report.from_json(json.loads(json.dumps(both.to_json()))) == both


def test_a_document_that_is_no_plan_is_refused_by_name() -> None:
    with pytest.raises(drift.DriftError, match="refresh-only plan: not the JSON of `terraform show -json"):
        drift.cloud_drift({"resource_drift": []})
    with pytest.raises(drift.DriftError, match=r"resource_drift\[1\] has no address or change\.actions"):
        drift.cloud_drift({"format_version": "1.2", "resource_drift": [_entry("aws_x.a", {}, {"n": 1}), {"address": "aws_x.b"}]})
    with pytest.raises(drift.DriftError, match=r"plan: a resource_changes entry has no change\.actions"):
        drift.pending_code({"format_version": "1.2", "resource_changes": [{"address": "aws_x.a", "change": {}}]})


def _fake_drift_env(tmp_path: Path, refresh_only: dict[str, Any], code: dict[str, Any], plan_status: int) -> dict[str, str]:
    """Environment for ``deploy.sh``: a fake terraform whose plans exit ``plan_status`` and show the given JSON."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    env, log = fake_terraform(tmp_path)
    shows = tmp_path / "shows"
    shows.mkdir()
    (shows / "drift-refresh-only.json").write_text(json.dumps(refresh_only))
    (shows / "drift-code.json").write_text(json.dumps(code))
    fake = Path(env["PATH"].split(":")[0]) / "terraform"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        f'case "$2" in plan) [ {plan_status} = 1 ] && echo planning failed >&2; exit {plan_status} ;; '
        f'show) cat "{shows}/$(basename "$4" .tfplan).json" ;; esac\n'
    )
    return {**env, "UJA_DRIFT_REPORT_DIR": str(tmp_path / "reports")}


def _deploy_drift(
    tmp_path: Path, refresh_only: dict[str, Any], code: dict[str, Any], *, plan_status: int = 2
) -> subprocess.CompletedProcess[str]:
    env = _fake_drift_env(tmp_path, refresh_only, code, plan_status)
    return subprocess.run(
        ["bash", str(DEPLOY), "dev", "drift"], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL
    )


def test_the_python_command_runs_deploy_sh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in _fake_drift_env(tmp_path, recorded("drift-refresh-only"), recorded("drift-code"), 2).items():
        monkeypatch.setenv(key, value)
    assert drift.main(["dev", "--name-suffix", "ab1"]) == drift.EXIT_CLOUD_DRIFT
    assert json.loads((tmp_path / "reports" / "drift-dev.json").read_text())["exit_code"] == drift.EXIT_CLOUD_DRIFT
    assert "-var=name_suffix=ab1" in (tmp_path / "calls.log").read_text()


def test_deploy_sh_drift_reports_through_the_same_code_path(tmp_path: Path) -> None:
    proc = _deploy_drift(tmp_path, recorded("drift-refresh-only"), recorded("drift-code"))
    assert proc.returncode == drift.EXIT_CLOUD_DRIFT, proc.stderr
    assert f"`{ALARM}`" in proc.stdout
    saved = json.loads((tmp_path / "reports" / "drift-dev.json").read_text())
    assert saved["result"] == "cloud drift" and len(saved["cloud_drift"]) == 5
    calls = (tmp_path / "calls.log").read_text()
    assert (
        "plan -detailed-exitcode -input=false -no-color" in calls
        and "-refresh-only" in calls
        and "-refresh=false" in calls
        and "environments/dev.tfvars" in calls
    )


def test_deploy_sh_drift_exit_codes_clean_pending_and_error(tmp_path: Path) -> None:
    clean = {"format_version": "1.2", "resource_drift": [], "resource_changes": []}
    pending = {**clean, "resource_changes": [{"address": "aws_x.a", "type": "aws_x", "change": {"actions": ["create"]}}]}
    assert _deploy_drift(tmp_path / "a", clean, clean).returncode == drift.EXIT_CLEAN
    # An empty plan (exit 0) is clean without `terraform show`, even if show would say otherwise.
    assert _deploy_drift(tmp_path / "d", recorded("drift-refresh-only"), clean, plan_status=0).returncode == drift.EXIT_CLEAN
    assert " show " not in (tmp_path / "d" / "calls.log").read_text()
    assert _deploy_drift(tmp_path / "b", clean, pending).returncode == drift.EXIT_PENDING_CODE
    failed = _deploy_drift(tmp_path / "c", clean, clean, plan_status=1)
    assert failed.returncode == drift.EXIT_ERROR and "planning failed" in failed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--auto-approve", "dev", "drift"), "--auto-approve applies to apply and destroy only"), (("qa", "drift"), "not 'qa'")],
)
def test_deploy_sh_drift_bad_input_exits_1_not_2(args: tuple[str, ...], message: str) -> None:
    proc = subprocess.run(["bash", str(DEPLOY), *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == drift.EXIT_ERROR and message in proc.stderr
