"""The Lambda entry point end to end on moto: records put on a Kinesis stream and read back as
Lambda delivers them, real boto3 clients made by the handler's adapters for DynamoDB, SQS, S3 and
Timestream, the partial batch response and the EMF metrics."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator

import boto3
import pytest
from moto.timestreamwrite.models import timestreamwrite_backends

from common.metrics import NAMESPACE
from common.settings import Settings
from event_processor import handler as entry
from event_processor.service import Dependencies
from tests.support.event_processor import BUCKET, DATABASE, EVENTS_TABLE, PROFILES_TABLE, create_tables_and_bucket, user_event
from tests.support.moto_world import MotoWorld

STREAM = "uja-user-events-test"


@pytest.fixture
def deployed(aws_world: MotoWorld, function_env, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    create_tables_and_bucket(aws_world)
    urls = {name: aws_world.queue(f"uja-{name}-test") for name in ("struggle-signals", "video-analysis")}
    for table in ("user-metrics", "session-analytics"):
        aws_world.timestream_table(DATABASE, table)
    function_env(
        "event-processor",
        USER_EVENTS_TABLE=EVENTS_TABLE,
        USER_PROFILES_TABLE=PROFILES_TABLE,
        STRUGGLE_QUEUE_URL=urls["struggle-signals"],
        VIDEO_QUEUE_URL=urls["video-analysis"],
        EVENT_LOGS_BUCKET=BUCKET,
        TIMESTREAM_DATABASE=DATABASE,
    )
    # Fresh adapters (their clients are made on first use, inside this moto account).
    fresh = Dependencies(
        Settings("event-processor"),
        *(type(a)() for a in (entry.DEPENDENCIES.dynamodb, entry.DEPENDENCIES.sqs, entry.DEPENDENCIES.s3, entry.DEPENDENCIES.timestream)),
    )
    monkeypatch.setattr(entry, "DEPENDENCIES", fresh)
    yield urls


def lambda_event_from_stream(payloads: list[bytes]) -> dict:
    """Put records on a moto stream and shape what GetRecords returns the way Lambda delivers it."""
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    for payload in payloads:
        kinesis.put_record(StreamName=STREAM, Data=payload, PartitionKey="u1")
    shard = kinesis.list_shards(StreamName=STREAM)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=STREAM, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    return {
        "Records": [
            {
                "kinesis": {
                    "partitionKey": r["PartitionKey"],
                    "sequenceNumber": r["SequenceNumber"],
                    "data": base64.b64encode(r["Data"]).decode(),
                    "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventID": f"{shard}:{r['SequenceNumber']}",
                "eventSourceARN": f"arn:aws:kinesis:us-east-1:123456789012:stream/{STREAM}",
            }
            for r in records
        ]
    }


@pytest.mark.spec("outcome-metrics")
def test_stream_to_tables_queues_quarantine_and_metrics(deployed: dict[str, str], emf: Callable[[], list[dict]]) -> None:
    # The stream stamps arrival with the clock, so these events are dated just before it.
    now_ms = int(time.time() * 1000)
    good = [user_event(event_type="form_error", offset_ms=0), user_event(event_type="video_complete", offset_ms=0)]
    for event in good:
        event["timestamp"] = now_ms - 1000
    payloads = [json.dumps(good[0]).encode(), b"\x00 not json", json.dumps(good[1]).encode()]
    event = lambda_event_from_stream(payloads)

    response = entry.handler(event, None)

    assert response == {"batchItemFailures": []}
    assert len(boto3.client("dynamodb").scan(TableName=EVENTS_TABLE)["Items"]) == 2
    profile = boto3.client("dynamodb").get_item(TableName=PROFILES_TABLE, Key={"userId": {"S": "u1"}})["Item"]
    assert profile["totalEvents"] == {"N": "2"} and len(profile["lastSequenceNumber"]["S"]) == 129
    sqs = boto3.client("sqs")
    for name, request_prefix in (("struggle-signals", "struggle:"), ("video-analysis", "video:")):
        (message,) = sqs.receive_message(QueueUrl=deployed[name], MaxNumberOfMessages=10)["Messages"]
        assert json.loads(message["Body"])["requestId"].startswith(request_prefix)
    (key,) = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="quarantine/")["Contents"]]
    assert key.endswith(f"/{event['Records'][1]['kinesis']['sequenceNumber']}.json")
    tables = timestreamwrite_backends["123456789012"]["us-east-1"].databases[DATABASE].tables
    assert len(tables["user-metrics"].records) == 2
    (metrics,) = emf()
    assert metrics["_aws"]["CloudWatchMetrics"][0]["Namespace"] == NAMESPACE
    assert (metrics["RecordsProcessed"], metrics["RecordsQuarantined"]) == ([2.0], [1.0])
