"""The event-source emulator against in-process moto: Lambda's batching, retry and failure rules."""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

import pytest

from journey_guard.ephemeral.account import Account
from journey_guard.ephemeral.emulator import (
    Emulator,
    EventSourceMapping,
    FunctionSpec,
    Invoker,
    functions_from_values,
    mappings_from_values,
)

FN = "uja-event-processor-dev-unit0001"


def _stream(account: Account) -> str:
    kinesis = account.client("kinesis")
    kinesis.create_stream(StreamName="uja-user-events-dev-unit0001", ShardCount=1)
    return kinesis.describe_stream_summary(StreamName="uja-user-events-dev-unit0001")["StreamDescriptionSummary"]["StreamARN"]


def _put(account: Account, arn: str, payloads: list[str]) -> list[str]:
    kinesis = account.client("kinesis")
    return [kinesis.put_record(StreamARN=arn, Data=p.encode(), PartitionKey="user-1")["SequenceNumber"] for p in payloads]


def _failure_queue(account: Account) -> tuple[str, str]:
    sqs = account.client("sqs")
    url = sqs.create_queue(QueueName="uja-stream-failures-dev-unit0001")["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _drain_queue(account: Account, url: str) -> list[dict[str, Any]]:
    msgs = account.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in msgs]


def _payloads(event: dict[str, Any]) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]


class Recorder:
    """A handler that records each batch and fails as told."""

    def __init__(self, poison: str | None = None, report: set[str] | None = None, fail_times: int = 1) -> None:
        self.batches: list[list[str]] = []
        self.poison = poison
        self.report = report or set()
        self.fail_times = fail_times

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        payloads = _payloads(event)
        self.batches.append(payloads)
        if self.poison in payloads:
            raise RuntimeError("poison record")
        failures = []
        for record, payload in zip(event["Records"], payloads, strict=True):
            if payload in self.report and self.fail_times > 0:
                self.fail_times -= 1
                failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
        return {"batchItemFailures": failures}


def _emulator(account: Account, mapping: EventSourceMapping, handler: Any, env: dict[str, str] | None = None) -> Emulator:
    spec = FunctionSpec(name=FN, handler="unused.handler.handler", environment=env or {}, role_arn="arn:aws:iam::123456789012:role/x")
    return Emulator(Invoker(account, {FN: spec}, handlers={FN: handler}), [mapping])


def _kinesis_mapping(arn: str, **kw: Any) -> EventSourceMapping:
    base: dict[str, Any] = dict(function_name=FN, source_arn=arn, batch_size=3, report_item_failures=True, starting_position="TRIM_HORIZON")
    return EventSourceMapping(**(base | kw))


def test_mappings_from_state_values_reads_every_lambda_setting() -> None:
    doc = {
        "values": {
            "root_module": {
                "child_modules": [
                    {
                        "resources": [
                            {
                                "address": "module.functions.aws_lambda_event_source_mapping.kinesis",
                                "mode": "managed",
                                "type": "aws_lambda_event_source_mapping",
                                "values": {
                                    "function_name": "arn:aws:lambda:us-east-1:123456789012:function:" + FN,
                                    "event_source_arn": "arn:aws:kinesis:us-east-1:123456789012:stream/uja-user-events-dev",
                                    "batch_size": 100,
                                    "maximum_batching_window_in_seconds": 5,
                                    "function_response_types": ["ReportBatchItemFailures"],
                                    "bisect_batch_on_function_error": True,
                                    "maximum_retry_attempts": 3,
                                    "maximum_record_age_in_seconds": 3600,
                                    "starting_position": "LATEST",
                                    "destination_config": [{"on_failure": [{"destination_arn": "arn:aws:sqs:us-east-1:123456789012:q"}]}],
                                },
                            }
                        ]
                    }
                ]
            }
        }
    }
    assert mappings_from_values(doc) == [
        EventSourceMapping(
            function_name=FN,
            source_arn="arn:aws:kinesis:us-east-1:123456789012:stream/uja-user-events-dev",
            batch_size=100,
            batching_window_s=5,
            report_item_failures=True,
            bisect_on_error=True,
            max_retries=3,
            max_record_age_s=3600,
            on_failure_arn="arn:aws:sqs:us-east-1:123456789012:q",
            starting_position="LATEST",
        )
    ]


def test_mapping_with_unknown_arn_is_rejected_naming_the_address() -> None:
    doc = {
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_lambda_event_source_mapping.x",
                        "type": "aws_lambda_event_source_mapping",
                        "values": {"function_name": "f"},
                    }
                ]
            }
        }
    }
    with pytest.raises(ValueError, match=r"aws_lambda_event_source_mapping\.x"):
        mappings_from_values(doc)


def test_kinesis_batches_follow_batch_size_and_shard_order(account: Account) -> None:
    arn = _stream(account)
    _put(account, arn, [f"r{i}" for i in range(7)])
    handler = Recorder()
    stats = _emulator(account, _kinesis_mapping(arn), handler).drain()
    assert handler.batches == [["r0", "r1", "r2"], ["r3", "r4", "r5"], ["r6"]]
    assert (stats.records, stats.invocations) == (7, 3)


def test_latest_position_sees_only_records_put_after_attach(account: Account) -> None:
    arn = _stream(account)
    _put(account, arn, ["before"])
    handler = Recorder()
    emulator = _emulator(account, _kinesis_mapping(arn, starting_position="LATEST"), handler)
    _put(account, arn, ["after"])
    emulator.drain()
    assert handler.batches == [["after"]]


def test_reported_item_failure_retries_from_the_failed_record(account: Account) -> None:
    arn = _stream(account)
    _put(account, arn, ["a", "b", "c"])
    handler = Recorder(report={"b"}, fail_times=1)
    stats = _emulator(account, _kinesis_mapping(arn), handler).drain()
    assert handler.batches == [["a", "b", "c"], ["b", "c"]]
    assert (stats.records, stats.item_failures, stats.on_failure) == (3, 1, 0)


def test_bisect_isolates_a_poison_record_and_sends_only_it_to_the_failure_queue(account: Account) -> None:
    arn = _stream(account)
    seqs = _put(account, arn, ["a", "b", "poison", "d"])
    url, qarn = _failure_queue(account)
    handler = Recorder(poison="poison")
    mapping = _kinesis_mapping(arn, batch_size=4, bisect_on_error=True, max_retries=2, on_failure_arn=qarn)
    stats = _emulator(account, mapping, handler).drain()
    succeeded = [p for batch in handler.batches if "poison" not in batch for p in batch]
    assert sorted(succeeded) == ["a", "b", "d"]
    assert handler.batches.count(["poison"]) == 3  # first try + 2 retries
    [failure] = _drain_queue(account, url)
    info = failure["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (seqs[2], seqs[2], 1)
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert stats.on_failure == 1


def test_function_error_without_bisect_retries_the_whole_batch_then_gives_up(account: Account) -> None:
    arn = _stream(account)
    seqs = _put(account, arn, ["poison", "x"])
    url, qarn = _failure_queue(account)
    handler = Recorder(poison="poison")
    _emulator(account, _kinesis_mapping(arn, max_retries=1, on_failure_arn=qarn), handler).drain()
    assert handler.batches == [["poison", "x"], ["poison", "x"]]
    [failure] = _drain_queue(account, url)
    assert (failure["KinesisBatchInfo"]["startSequenceNumber"], failure["KinesisBatchInfo"]["endSequenceNumber"]) == (seqs[0], seqs[1])


def test_records_past_max_age_go_to_the_destination_unprocessed(account: Account) -> None:
    arn = _stream(account)
    _put(account, arn, ["old"])
    url, qarn = _failure_queue(account)
    handler = Recorder()
    time.sleep(0.01)  # any age exceeds a maximum of 0 s
    _emulator(account, _kinesis_mapping(arn, max_record_age_s=0, on_failure_arn=qarn), handler).drain()
    assert handler.batches == []
    assert [f["requestContext"]["condition"] for f in _drain_queue(account, url)] == ["RecordAgeExceeded"]


def test_sqs_failed_message_is_redriven_to_the_dlq_after_max_receives(account: Account) -> None:
    sqs = account.client("sqs")
    dlq_url = sqs.create_queue(QueueName="uja-interventions-dlq-dev-unit0001")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName="uja-interventions-dev-unit0001",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})},
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for body in ("ok-1", "poison", "ok-2"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    seen: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.extend(r["body"] for r in event["Records"])
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "poison"]}

    mapping = EventSourceMapping(function_name=FN, source_arn=arn, batch_size=10, report_item_failures=True)
    stats = _emulator(account, mapping, handler).drain()
    assert seen.count("poison") == 3 and seen.count("ok-1") == 1 and seen.count("ok-2") == 1
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dead] == ["poison"]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
    assert stats.records == 2


def test_invoker_sets_the_function_environment_only_during_the_call(account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("USER_EVENTS_TABLE", raising=False)
    arn = _stream(account)
    _put(account, arn, ["x"])
    seen: dict[str, str | None] = {}

    def handler(event: dict[str, Any], context: Any) -> None:
        seen["table"] = os.environ.get("USER_EVENTS_TABLE")
        seen["name"] = context.function_name

    _emulator(account, _kinesis_mapping(arn), handler, env={"USER_EVENTS_TABLE": "uja-user-events-dev-unit0001"}).drain()
    assert seen == {"table": "uja-user-events-dev-unit0001", "name": FN}
    assert "USER_EVENTS_TABLE" not in os.environ


def test_rewind_redelivers_the_same_records(account: Account) -> None:
    arn = _stream(account)
    _put(account, arn, ["a"])
    handler = Recorder()
    emulator = _emulator(account, _kinesis_mapping(arn), handler)
    emulator.drain()
    saved = emulator.positions()
    _put(account, arn, ["b", "c"])
    emulator.drain()
    emulator.rewind(saved)
    emulator.drain()
    assert handler.batches == [["a"], ["b", "c"], ["b", "c"]]


def test_functions_from_state_values_carry_handler_environment_and_role() -> None:
    doc = {
        "values": {
            "root_module": {
                "child_modules": [
                    {
                        "resources": [
                            {
                                "address": 'module.functions.aws_lambda_function.this["event_processor"]',
                                "mode": "managed",
                                "type": "aws_lambda_function",
                                "values": {
                                    "function_name": FN,
                                    "handler": "event_processor.handler.handler",
                                    "environment": [{"variables": {"USER_EVENTS_TABLE": "uja-user-events-dev-unit0001"}}],
                                    "role": "arn:aws:iam::123456789012:role/uja-event-processor-dev-unit0001",
                                    "timeout": 60,
                                    "memory_size": 512,
                                },
                            }
                        ]
                    }
                ]
            }
        }
    }
    assert functions_from_values(doc) == {
        FN: FunctionSpec(
            name=FN,
            handler="event_processor.handler.handler",
            environment={"USER_EVENTS_TABLE": "uja-user-events-dev-unit0001"},
            role_arn="arn:aws:iam::123456789012:role/uja-event-processor-dev-unit0001",
            timeout_s=60,
            memory_mb=512,
        )
    }


def test_invoker_runs_a_function_with_its_role_credentials(account: Account) -> None:
    seen: dict[str, str | None] = {}

    def handler(event: dict[str, Any], context: Any) -> None:
        seen["key"] = os.environ.get("AWS_ACCESS_KEY_ID")
        seen["token"] = os.environ.get("AWS_SESSION_TOKEN")

    spec = FunctionSpec(name=FN, handler="unused.handler.handler", environment={})
    role_creds = {"AWS_ACCESS_KEY_ID": "ASIAROLE", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"}
    Invoker(account, {FN: spec}, handlers={FN: handler}, credentials={FN: role_creds}).invoke(FN, {"Records": []})
    assert seen == {"key": "ASIAROLE", "token": "t"}
    assert os.environ.get("AWS_SESSION_TOKEN") is None
