"""The replay tool against in-process moto: stream-failures ranges and quarantined records."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from journey_guard.ephemeral.account import Account
from journey_guard.ops.replay import REPLAYED_PREFIX, replay_failures, replay_quarantine

STREAM = "uja-user-events-dev-unit0001"


def _setup(account: Account) -> tuple[Any, Any, str, list[str], str]:
    kinesis, sqs = account.client("kinesis"), account.client("sqs")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    seqs = [kinesis.put_record(StreamName=STREAM, Data=f"r{i}".encode(), PartitionKey=f"u{i}")["SequenceNumber"] for i in range(5)]
    shard = kinesis.list_shards(StreamName=STREAM)["Shards"][0]["ShardId"]
    url = sqs.create_queue(QueueName="uja-stream-failures-dev-unit0001")["QueueUrl"]
    info = {"shardId": shard, "startSequenceNumber": seqs[1], "endSequenceNumber": seqs[3], "batchSize": 3, "streamArn": "arn"}
    sqs.send_message(
        QueueUrl=url, MessageBody=json.dumps({"requestContext": {"condition": "RetryAttemptsExhausted"}, "KinesisBatchInfo": info})
    )
    return kinesis, sqs, url, seqs, shard


def _all_data(kinesis: Any, shard: str) -> list[bytes]:
    it = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [r["Data"] for r in kinesis.get_records(ShardIterator=it, Limit=1000)["Records"]]


def test_dry_run_reports_the_range_and_changes_nothing(account: Account) -> None:
    kinesis, sqs, url, _, shard = _setup(account)
    report = replay_failures(sqs, kinesis, url, STREAM, execute=False)
    assert (report.records, report.sources, report.dry_run) == (3, 1, True)
    assert len(_all_data(kinesis, shard)) == 5
    assert len(sqs.receive_message(QueueUrl=url).get("Messages", [])) == 1  # visible again at once


def test_execute_re_puts_exactly_the_named_range_and_deletes_the_message(account: Account) -> None:
    kinesis, sqs, url, _, shard = _setup(account)
    report = replay_failures(sqs, kinesis, url, STREAM, execute=True)
    assert report.records == 3 and not report.errors
    assert _all_data(kinesis, shard)[5:] == [b"r1", b"r2", b"r3"]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_a_message_that_is_not_an_on_failure_record_is_reported_and_kept(account: Account) -> None:
    kinesis, sqs, url, _, _ = _setup(account)
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    report = replay_failures(sqs, kinesis, url, STREAM, execute=True)
    assert len(report.errors) == 1 and "KinesisBatchInfo" in report.errors[0]
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])) == 1


def test_quarantined_records_are_re_put_once_and_moved(account: Account) -> None:
    kinesis, _, _, _, shard = _setup(account)
    s3 = account.client("s3")
    s3.create_bucket(Bucket="uja-event-logs-dev")
    body = {"reason": "schema", "shardId": shard, "sequenceNumber": "1", "partitionKey": "u9", "data": base64.b64encode(b"fixed").decode()}
    s3.put_object(Bucket="uja-event-logs-dev", Key="quarantine/2026-11-25/shardId-000000000000/1.json", Body=json.dumps(body).encode())
    assert replay_quarantine(s3, kinesis, "uja-event-logs-dev", STREAM, execute=False).records == 1
    assert len(_all_data(kinesis, shard)) == 5
    assert replay_quarantine(s3, kinesis, "uja-event-logs-dev", STREAM, execute=True).records == 1
    assert _all_data(kinesis, shard)[-1] == b"fixed"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="uja-event-logs-dev")["Contents"]]
    assert keys == [REPLAYED_PREFIX + "2026-11-25/shardId-000000000000/1.json"]
    assert replay_quarantine(s3, kinesis, "uja-event-logs-dev", STREAM, execute=True).records == 0


def test_quarantine_prefix_must_stay_inside_the_quarantine(account: Account) -> None:
    with pytest.raises(ValueError, match="quarantine/"):
        replay_quarantine(account.client("s3"), account.client("kinesis"), "b", STREAM, execute=False, prefix="analytics/")
