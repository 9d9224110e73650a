"""Drift on the deployed account (issue 20): after the event scenarios, five out-of-band changes; the
drift check reports exactly those and nothing else, a re-apply converges and the next check is clean.

Runs after test_2/test_3 (they read the deployment as applied) and before test_9 (destroy). The
check is ``journey_guard.ops.drift.check``, the code path of ``deploy.sh ENV drift``; the seconds this
module adds go to the cycle's timings as ``drift`` (read by ``benchmarks/integration.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import pytest

from journey_guard.ephemeral.emulator import _resources
from journey_guard.ops import drift
from tests.support.integration import REPORT_DIR, Cycle


def _changed_only(change: dict[str, Any]) -> dict[str, Any]:
    """A drift entry's change with only the top-level attributes that differ (the rest cannot show up)."""
    before, after = change.get("before") or {}, change.get("after") or {}
    keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    out: dict[str, Any] = {"actions": change["actions"]}
    for side in ("before", "after", "before_sensitive", "after_sensitive"):
        value = change.get(side)
        out[side] = {k: v for k, v in value.items() if k in keys} if isinstance(value, dict) else value
    return out


def trim(plan: dict[str, Any]) -> dict[str, Any]:
    """What ``journey_guard.ops.drift`` reads of a plan: drift, change actions, configured argument names."""

    def module(m: dict[str, Any]) -> dict[str, Any]:
        return {
            "resources": [
                {"address": r["address"], "expressions": {key: {} for key in r.get("expressions", {})}} for r in m.get("resources", [])
            ],
            "module_calls": {name: {"module": module(call.get("module", {}))} for name, call in m.get("module_calls", {}).items()},
        }

    return {
        "format_version": plan["format_version"],
        "terraform_version": plan.get("terraform_version"),
        "resource_drift": [
            {"address": e["address"], "type": e["type"], "change": _changed_only(e["change"])} for e in plan.get("resource_drift", [])
        ],
        "resource_changes": [
            {"address": rc["address"], "type": rc["type"], "change": {"actions": rc["change"]["actions"]}}
            for rc in plan.get("resource_changes", [])
        ],
        # Read only to sort drift into code-set arguments and the rest.
        "configuration": {"root_module": module(plan.get("configuration", {}).get("root_module", {}))}
        if plan.get("resource_drift")
        else {},
    }


class RecordingPlanner:
    """The deployment's planner, keeping each plan trimmed: the unit tests' recorded fixtures
    (tests/unit/harness/fixtures/drift/ are copies from build/integration/drift-plans/)."""

    def __init__(self, cycle: Cycle, label: str) -> None:
        self.cycle, self.label = cycle, label

    def plan_json(self, name: str, *flags: str) -> dict[str, Any] | None:
        raw = self.cycle.deployment.plan_json(name, *flags)
        if raw is None:
            return None
        out = REPORT_DIR / "drift-plans"
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{self.cycle.deployment.environment}-{self.label}-{name}.json"
        path.write_text(json.dumps(trim(raw), sort_keys=True) + "\n")
        return raw


def _address(cycle: Cycle, rtype: str, **match: Any) -> tuple[str, Mapping[str, Any]]:
    """The state address and values of the one ``rtype`` whose values match ``match``."""
    found = [r for r in _resources(cycle.state, rtype) if all(r["values"].get(k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one {rtype} with {match}, found {[r['address'] for r in found]}"
    return found[0]["address"], found[0]["values"]


def _change_out_of_band(cycle: Cycle) -> dict[str, set[str]]:
    """Five changes made with the AWS API behind Terraform's back; returns address -> attributes."""
    q, account = cycle.deployment.qualifier, cycle.account.account_id
    expected: dict[str, set[str]] = {}

    sqs = cycle.account.client("sqs")
    queue, values = _address(cycle, "aws_sqs_queue", name=f"uja-struggle-signals-{q}")
    sqs.set_queue_attributes(QueueUrl=values["url"], Attributes={"VisibilityTimeout": str(values["visibility_timeout_seconds"] + 17)})
    expected[queue] = {"visibility_timeout_seconds"}

    table, values = _address(cycle, "aws_dynamodb_table", name=f"uja-user-profiles-{q}")
    cycle.account.client("dynamodb").tag_resource(ResourceArn=values["arn"], Tags=[{"Key": "drift-probe", "Value": "out-of-band"}])
    expected[table] = {"tags.drift-probe", "tags_all.drift-probe"}

    alarms = sorted(_resources(cycle.state, "aws_cloudwatch_metric_alarm"), key=lambda r: r["address"])
    assert alarms, "no alarm in the state"
    cycle.account.client("cloudwatch").delete_alarms(AlarmNames=[alarms[0]["values"]["alarm_name"]])
    expected[alarms[0]["address"]] = {drift.WHOLE_RESOURCE}

    bucket = f"uja-event-logs-{q}-{account}"
    policy_address, _ = _address(cycle, "aws_s3_bucket_policy", bucket=bucket)
    s3 = cycle.account.client("s3")
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    statement = {"Sid": "DriftProbe", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": f"arn:aws:s3:::{bucket}"}
    policy["Statement"].append(statement)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    expected[policy_address] = {"policy.Statement"}

    function, values = _address(cycle, "aws_lambda_function", function_name=f"uja-event-processor-{q}")
    cycle.account.client("lambda").update_function_configuration(
        FunctionName=values["function_name"], MemorySize=values["memory_size"] + 128
    )
    expected[function] = {"memory_size"}
    return expected


@pytest.fixture(scope="module")
def timed(cycle: Cycle) -> Any:
    cycle.replan()  # the background re-plan holds the state lock until it ends: drift plans come after it
    started = time.monotonic()
    yield
    cycle.extra_timings["drift"] = time.monotonic() - started


def test_drift_reports_exactly_the_out_of_band_changes(cycle: Cycle, timed: Any) -> None:
    expected = _change_out_of_band(cycle)
    report = drift.check(RecordingPlanner(cycle, "drifted"), cycle.deployment.environment)
    report.write(REPORT_DIR)
    assert report.exit_code == drift.EXIT_CLOUD_DRIFT, report.markdown()
    assert report.drifted() == expected, report.markdown()
    assert report.pending_code == [], report.markdown()
    rows = {(r.address, a.attribute): a for r in report.cloud_drift for a in r.attributes}
    queue = next(a for (_, attr), a in rows.items() if attr == "visibility_timeout_seconds")
    assert queue.cloud == queue.state + 17
    memory = next(a for (_, attr), a in rows.items() if attr == "memory_size")
    assert memory.cloud == memory.state + 128
    markdown = report.markdown()
    assert all(f"`{address}`" in markdown for address in expected)


def test_reapply_converges_and_the_next_check_is_clean(cycle: Cycle, timed: Any) -> None:
    cycle.deployment.apply(step="drift-reapply")
    report = drift.check(RecordingPlanner(cycle, "converged"), cycle.deployment.environment)
    assert report.exit_code == drift.EXIT_CLEAN, report.markdown()
