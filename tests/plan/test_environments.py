"""Section 2 of the spec, per environment, read from the rendered plan (never from the tfvars)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from journey_guard import plans

from .conftest import expect_equal, fill, only

pytestmark = pytest.mark.slow


def _values(plan: plans.Plan, rtype: str, attribute: str) -> dict[str, Any]:
    return {address: values.get(attribute) for address, values in plan.of_type(rtype).items()}


def _all(plan: plans.Plan, rtype: str, attribute: str, expected: Any) -> None:
    actual = _values(plan, rtype, attribute)
    assert actual, f"{plan.env}: no {rtype} in the plan"
    expect_equal(dict.fromkeys(actual, expected), actual, f"{plan.env}: {rtype}.{attribute}")


def test_the_plan_is_of_its_environment(plan: plans.Plan, env: str) -> None:
    assert plan.variables["environment"] == env
    assert {v["tags_all"]["Environment"] for v in plan.resources.values() if isinstance(v.get("tags_all"), dict)} == {env}


def test_kinesis_stream(plan: plans.Plan, expected: dict[str, Any]) -> None:
    values = expected["values"]
    stream = only(plan, "aws_kinesis_stream")
    assert stream["name"] == fill("uja-user-events-{q}", plan)
    assert stream["shard_count"] == values["kinesis_shard_count"]
    assert stream["retention_period"] == values["kinesis_retention_period"]
    assert stream["stream_mode_details"] == [{"stream_mode": "PROVISIONED"}]
    assert stream["encryption_type"] == "KMS"
    assert sorted(stream["shard_level_metrics"]) == ["IncomingRecords", "IteratorAgeMilliseconds", "WriteProvisionedThroughputExceeded"]


def test_lambda_functions(plan: plans.Plan, expected: dict[str, Any]) -> None:
    values, spec = expected["values"], expected["functions"]
    _all(plan, "aws_lambda_function", "memory_size", values["lambda_memory_size"])
    # The provider renders "unreserved" as -1.
    reserved = values["lambda_reserved_concurrency"]
    _all(plan, "aws_lambda_function", "reserved_concurrent_executions", -1 if reserved is None else reserved)
    _all(plan, "aws_lambda_function", "runtime", spec["runtime"])
    _all(plan, "aws_lambda_function", "architectures", spec["architectures"])
    _all(plan, "aws_lambda_function", "tracing_config", [{"mode": spec["tracing"]}])
    timeouts = {f'module.functions.aws_lambda_function.this["{name}"]': t for name, t in spec["timeouts"].items()}
    expect_equal(timeouts, _values(plan, "aws_lambda_function", "timeout"), f"{plan.env}: Lambda timeouts")
    for address, function in plan.of_type("aws_lambda_function").items():
        assert function["vpc_config"], f"{address} is not in the VPC"


def test_dynamodb_tables(plan: plans.Plan, expected: dict[str, Any]) -> None:
    values = expected["values"]
    pitr = {a: t["point_in_time_recovery"][0]["enabled"] for a, t in plan.of_type("aws_dynamodb_table").items()}
    expect_equal(dict.fromkeys(pitr, values["dynamodb_point_in_time_recovery"]), pitr, f"{plan.env}: PITR")
    _all(plan, "aws_dynamodb_table", "deletion_protection_enabled", values["deletion_protection"])
    _all(plan, "aws_dynamodb_table", "billing_mode", "PAY_PER_REQUEST")
    sse = {a: t["server_side_encryption"][0]["enabled"] for a, t in plan.of_type("aws_dynamodb_table").items()}
    assert all(sse.values()), sse


def test_timestream_tables(plan: plans.Plan, expected: dict[str, Any]) -> None:
    values = expected["values"]
    tables = plan.of_type("aws_timestreamwrite_table")
    assert len(tables) == 4
    for address, table in tables.items():
        retention = table["retention_properties"][0]
        assert retention["magnetic_store_retention_period_in_days"] == values["timestream_retention_magnetic_days"], address
        assert retention["memory_store_retention_period_in_hours"] == values["timestream_retention_memory_hours"], address
        writes = table["magnetic_store_write_properties"][0]
        assert writes["enable_magnetic_store_writes"] is True, address
        s3 = writes["magnetic_store_rejected_data_location"][0]["s3_configuration"][0]
        assert s3["bucket_name"] == fill("uja-analytics-data-{q}-{account}", plan), address
        assert s3["object_key_prefix"] == f"timestream-rejected/{table['table_name']}/", address
    assert only(plan, "aws_timestreamwrite_database")["database_name"] == fill("uja-{q}", plan)


def test_log_retention_everywhere(plan: plans.Plan, expected: dict[str, Any]) -> None:
    _all(plan, "aws_cloudwatch_log_group", "retention_in_days", expected["values"]["log_retention_days"])


def _lifecycle(plan: plans.Plan, bucket: str) -> dict[str, Any]:
    (rule,) = plan.resources[f'module.storage.aws_s3_bucket_lifecycle_configuration.this["{bucket}"]']["rule"]
    assert rule["status"] == "Enabled"
    return {
        "transitions": {t["storage_class"]: t["days"] for t in rule.get("transition", [])},
        "expiration_days": rule["expiration"][0]["days"] if rule.get("expiration") else None,
        "noncurrent_days": rule["noncurrent_version_expiration"][0]["noncurrent_days"],
    }


def test_s3_lifecycle_and_force_destroy(plan: plans.Plan, expected: dict[str, Any]) -> None:
    values = expected["values"]
    transitions = {"STANDARD_IA": values["s3_transition_ia_days"], "GLACIER": values["s3_transition_glacier_days"]}
    want = {
        "event_logs": {"transitions": transitions, "expiration_days": values["s3_expiration_days"], "noncurrent_days": 30},
        "analytics_data": {"transitions": transitions, "expiration_days": 2 * values["s3_expiration_days"], "noncurrent_days": 30},
        # Artifacts never expire current versions; access logs are kept 90 days.
        "artifacts": {"transitions": {}, "expiration_days": None, "noncurrent_days": 30},
        "access_logs": {"transitions": {}, "expiration_days": 90, "noncurrent_days": 30},
    }
    expect_equal(want, {bucket: _lifecycle(plan, bucket) for bucket in want}, f"{plan.env}: S3 lifecycle")
    _all(plan, "aws_s3_bucket", "force_destroy", values["force_destroy"])


def test_kms_keys(plan: plans.Plan, expected: dict[str, Any]) -> None:
    _all(plan, "aws_kms_key", "deletion_window_in_days", expected["values"]["kms_deletion_window_days"])
    _all(plan, "aws_kms_key", "enable_key_rotation", True)
    aliases = sorted(v["name"] for v in plan.of_type("aws_kms_alias").values())
    assert aliases == sorted(fill(f"alias/uja-{d}-{{q}}", plan) for d in ("events", "storage", "ml", "logs"))


def test_event_source_mappings(plan: plans.Plan, expected: dict[str, Any]) -> None:
    values = expected["values"]
    stream = dict(plan.resources["module.functions.aws_lambda_event_source_mapping.stream"])
    want = {k: v for k, v in fill(expected["stream_trigger"], plan).items() if k != "on_failure"}
    want["parallelization_factor"] = values["kinesis_parallelization_factor"]
    expect_equal(want, {k: stream.get(k) for k in want}, f"{plan.env}: Kinesis trigger")
    on_failure = stream["destination_config"][0]["on_failure"][0]["destination_arn"]
    assert on_failure == fill(expected["stream_trigger"]["on_failure"], plan)
    for function in expected["functions"]["queues"]:
        mapping = plan.resources[f'module.functions.aws_lambda_event_source_mapping.queue["{function}"]']
        for name, value in expected["queue_trigger"].items():
            assert mapping[name] == value, f"{function} trigger: {name}"
        assert mapping["scaling_config"] == [{"maximum_concurrency": values["sqs_max_concurrency"]}], function


def test_network(plan: plans.Plan, expected: dict[str, Any]) -> None:
    assert len(plan.of_type("aws_nat_gateway")) == expected["values"]["nat_gateway_count"]
    zones = sorted(s["availability_zone"] for s in plan.of_type("aws_subnet").values())
    assert zones == sorted(plan.variables["availability_zones"] * 2)


def test_sagemaker(plan: plans.Plan, expected: dict[str, Any]) -> None:
    values = expected["values"]
    configs = plan.of_type("aws_sagemaker_endpoint_configuration")
    exit_risk = configs['module.ml.aws_sagemaker_endpoint_configuration.this["exit_risk"]']["production_variants"][0]
    assert (exit_risk["instance_type"], exit_risk["initial_instance_count"]) == (
        values["sagemaker_instance_type"],
        values["sagemaker_instance_count"],
    )
    video = configs['module.ml.aws_sagemaker_endpoint_configuration.this["video_engagement"]']["production_variants"][0]
    assert (video["instance_type"], video["initial_instance_count"]) == (plan.variables["video_instance_type"], 1)
    assert plan.variables["video_instance_type"] == "ml.t2.medium"

    targets, policies = plan.of_type("aws_appautoscaling_target"), plan.of_type("aws_appautoscaling_policy")
    if values["sagemaker_autoscaling_max"] == 0:
        assert not targets and not policies
        return
    target = only(plan, "aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (values["sagemaker_instance_count"], values["sagemaker_autoscaling_max"])
    assert target["resource_id"] == fill("endpoint/uja-exit-risk-{q}/variant/AllTraffic", plan)
    tracking = only(plan, "aws_appautoscaling_policy")["target_tracking_scaling_policy_configuration"][0]
    assert tracking["target_value"] == 100
    assert tracking["predefined_metric_specification"][0]["predefined_metric_type"] == "SageMakerVariantInvocationsPerInstance"


def test_notebook_only_where_enabled(plan: plans.Plan, expected: dict[str, Any]) -> None:
    notebooks = plan.of_type("aws_sagemaker_notebook_instance")
    if not expected["values"]["sagemaker_notebook_enabled"]:
        assert not notebooks
        return
    notebook = only(plan, "aws_sagemaker_notebook_instance")
    assert notebook["instance_type"] == "ml.t3.medium"
    assert notebook["direct_internet_access"] == "Disabled"
    assert notebook["root_access"] == "Disabled"
    assert notebook["instance_metadata_service_configuration"] == [{"minimum_instance_metadata_service_version": "2"}]
    assert notebook["subnet_id"] is plans.UNKNOWN  # a private subnet, wired below in test_security


def test_flink(plan: plans.Plan, expected: dict[str, Any]) -> None:
    app = only(plan, "aws_kinesisanalyticsv2_application")
    assert app["name"] == fill("uja-sessions-{q}", plan)
    assert app["runtime_environment"] == "FLINK-1_20"
    flink = app["application_configuration"][0]["flink_application_configuration"][0]
    assert flink["parallelism_configuration"][0]["parallelism"] == expected["values"]["flink_parallelism"]
    assert flink["checkpoint_configuration"][0]["checkpointing_enabled"] is True


def test_budget(plan: plans.Plan, expected: dict[str, Any]) -> None:
    budget = only(plan, "aws_budgets_budget")
    assert float(budget["limit_amount"]) == expected["values"]["monthly_budget_usd"]
    assert budget["limit_unit"] == "USD" and budget["time_unit"] == "MONTHLY"
    assert budget["account_id"] == "123456789012"
    assert budget["cost_filter"] == [{"name": "TagKeyValue", "values": [f"user:Environment${plan.env}"]}]
    alerts = fill("arn:{partition}:sns:{region}:{account}:uja-alerts-{q}", plan)
    notifications = sorted((n["notification_type"], n["threshold"], tuple(n["subscriber_sns_topic_arns"])) for n in budget["notification"])
    assert notifications == [("ACTUAL", 80, (alerts,)), ("FORECASTED", 100, (alerts,))]


def test_cost_anomaly_monitor(plan: plans.Plan) -> None:
    monitor = only(plan, "aws_ce_anomaly_monitor")
    assert monitor["monitor_type"] == "CUSTOM"
    assert "Environment" in monitor["monitor_specification"]
    subscription = only(plan, "aws_ce_anomaly_subscription")
    assert subscription["frequency"] == "IMMEDIATE"
    assert subscription["subscriber"] == [{"type": "SNS", "address": fill("arn:{partition}:sns:{region}:{account}:uja-alerts-{q}", plan)}]


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
    threshold = {"error_threshold": expected["values"]["lambda_error_alarm_threshold"]}
    want: dict[str, int] = {}
    for spec in expected["alarms"]:
        key = f"{spec['namespace']} {spec['metric']} > {threshold.get(spec['threshold'], spec['threshold']):g}"
        want[key] = want.get(key, 0) + spec["count"]
    expect_equal(want, actual, f"{plan.env}: alarms (namespace metric > threshold: count)")
    assert sum(actual.values()) == 28


def test_each_consumer_queue_redrives_to_its_own_dlq_after_three_receives(plan: plans.Plan) -> None:
    # [3 SQS and SNS] "each with a DLQ (maxReceiveCount 3 ...)": the redrive policy resources, by queue URL.
    got = {values["queue_url"]: json.loads(values["redrive_policy"]) for values in plan.of_type("aws_sqs_queue_redrive_policy").values()}
    queue = "https://sqs.{region}.amazonaws.com/{account}/uja-%s-{q}"
    dlq = "arn:{partition}:sqs:{region}:{account}:uja-%s-dlq-{q}"
    want = {
        fill(queue % name, plan): {"deadLetterTargetArn": fill(dlq % name, plan), "maxReceiveCount": 3}
        for name in ("struggle-signals", "video-analysis", "interventions")
    }
    expect_equal(want, got, f"{plan.env}: redrive policies")
