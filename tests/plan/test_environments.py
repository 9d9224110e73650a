"""Per environment, read from the rendered plan: what the inventories (test_inventory.py) cannot say
as a subset of one resource's values: the alarm inventory across resources."""

from __future__ import annotations

import json
from typing import Any

import pytest

from journey_guard.terraform import plans
from tests.support.plans import expect_equal, fill

pytestmark = pytest.mark.slow


def test_the_plan_is_of_its_environment(plan: plans.Plan, env: str) -> None:
    assert plan.variables["environment"] == env
    assert {v["tags_all"]["Environment"] for v in plan.resources.values() if isinstance(v.get("tags_all"), dict)} == {env}


@pytest.mark.spec(
    "alarms", "alarm-lambda", "alarm-iterator-age", "alarm-queues", "alarm-dynamodb", "alarm-others", "alarm-timestream-rejected"
)
def test_alarm_inventory_and_thresholds(plan: plans.Plan, expected: dict[str, Any]) -> None:
    alerts = fill("arn:{partition}:sns:{region}:{account}:uja-alerts-{q}", plan)
    actual: dict[str, int] = {}
    for address, alarm in plan.of_type("aws_cloudwatch_metric_alarm").items():
        assert alarm["alarm_actions"] == [alerts], address
        assert alarm["treat_missing_data"] == "notBreaching", address
        assert alarm["comparison_operator"] == "GreaterThanThreshold", address
        metrics = {(m["namespace"], m["metric_name"]) for q in alarm.get("metric_query") or [] for m in q.get("metric") or []}
        if alarm.get("metric_name"):
            metrics.add((alarm["namespace"], alarm["metric_name"]))
        assert len(metrics) == 1, f"{address} watches {sorted(metrics)}"
        ((namespace, metric),) = metrics
        key = f"{namespace} {metric} > {alarm['threshold']:g}"
        actual[key] = actual.get(key, 0) + 1
    # The inventory asserts this variable's value per environment (fact lambda-error-threshold).
    threshold = {"error_threshold": plan.variables["lambda_error_alarm_threshold"]}
    want: dict[str, int] = {}
    for spec in expected["alarms"]:
        key = f"{spec['namespace']} {spec['metric']} > {threshold.get(spec['threshold'], spec['threshold']):g}"
        want[key] = want.get(key, 0) + spec["count"]
    expect_equal(want, actual, f"{plan.env}: alarms (namespace metric > threshold: count)")
    assert sum(actual.values()) == 28


@pytest.mark.spec("sqs-dlqs")
def test_each_consumer_queue_redrives_to_its_own_dlq_after_three_receives(plan: plans.Plan) -> None:
    # [3 SQS and SNS] "each with a DLQ (maxReceiveCount 3 ...)": every queue whose redrive policy is known
    # at plan time (a queue without one plans it as unknown), by name.
    queues = plan.of_type("aws_sqs_queue").values()
    got = {values["name"]: json.loads(values["redrive_policy"]) for values in queues if isinstance(values.get("redrive_policy"), str)}
    dlq = "arn:{partition}:sqs:{region}:{account}:uja-%s-dlq-{q}"
    want = {
        fill(f"uja-{name}-{{q}}", plan): {"deadLetterTargetArn": fill(dlq % name, plan), "maxReceiveCount": 3}
        for name in ("struggle-signals", "video-analysis", "interventions")
    }
    expect_equal(want, got, f"{plan.env}: redrive policies")
