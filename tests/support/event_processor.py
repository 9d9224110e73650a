"""Builders of Kinesis Lambda events and the AWS world the event processor writes (moto + fakes)."""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from common.adapters import S3, SQS, DynamoDB, Timestream
from common.settings import Settings
from event_processor.service import Dependencies
from tests.support.moto_world import MotoWorld, client

ARRIVAL_MS = 1_600_000_000_000  # 2020-09-13: validity must come from arrival, not from today's clock
SHARD = "shardId-000000000001"
FIRST_SEQUENCE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898
EVENTS_TABLE, PROFILES_TABLE, BUCKET = "uja-user-events-test", "uja-user-profiles-test", "uja-event-logs-test-123456789012"
STRUGGLE_URL, VIDEO_URL, DATABASE = "https://sqs.test/struggle", "https://sqs.test/video", "uja-test"


def user_event(user: str = "u1", session: str = "s1", event_type: str = "page_view", offset_ms: int = -1000, **data: Any) -> dict:
    event = {
        "eventId": str(uuid.uuid4()),
        "userId": user,
        "sessionId": session,
        "eventType": event_type,
        "timestamp": ARRIVAL_MS + offset_ms,
    }
    if event_type in ("video_engagement", "video_complete"):
        data.setdefault("videoId", "video-1")
    if data:
        event["eventData"] = data
    return event


def encode(payload: dict | bytes | str) -> str:
    """Base64 data of a record: a dict as JSON, bytes as given, a str as already-encoded (e.g. bad base64)."""
    if isinstance(payload, str):
        return payload
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.b64encode(raw).decode()


def kinesis_record(payload: dict | bytes | str, sequence: int, arrival_ms: int = ARRIVAL_MS, shard: str = SHARD) -> dict:
    key = payload.get("userId", "x") if isinstance(payload, dict) else "x"
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": key,
            "sequenceNumber": str(sequence),
            "data": encode(payload),
            "approximateArrivalTimestamp": arrival_ms / 1000,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard}:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/uja-event-processor-test",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/uja-user-events-test",
    }


def kinesis_event(payloads: list, first: int = FIRST_SEQUENCE) -> dict:
    return {"Records": [kinesis_record(p, first + i) for i, p in enumerate(payloads)]}


def failures(response: dict) -> set[str]:
    return {f["itemIdentifier"] for f in response["batchItemFailures"]}


class Spy:
    """Counts calls on a client and can make chosen operations fail: ``fail[op] = n`` fails the next n calls."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: Counter[str] = Counter()
        self.fail: dict[str, int] = {}
        self.exceptions = getattr(client, "exceptions", None)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            if self.fail.get(name, 0) > 0:
                self.fail[name] -= 1
                raise ConnectionError(f"injected failure of {name}")
            return target(*args, **kwargs)

        return call


class FakeTimestreamClient:
    """Timestream's write semantics: a record is keyed by table, dimensions, measure name and time;
    an identical write is accepted again, a different value with the same version is rejected."""

    class RejectedRecordsException(Exception):
        def __init__(self, rejected: list[dict]) -> None:
            super().__init__("rejected records")
            self.response = {"RejectedRecords": rejected}

    def __init__(self) -> None:
        self.exceptions = SimpleNamespace(RejectedRecordsException=self.RejectedRecordsException)
        self.records: dict[tuple, dict] = {}
        self.calls: Counter[str] = Counter()  # WriteRecords calls per table

    def write_records(self, DatabaseName: str, TableName: str, Records: list[dict], CommonAttributes: dict | None = None) -> dict:
        self.calls[TableName] += 1
        rejected = []
        for index, record in enumerate(Records):
            full = (CommonAttributes or {}) | record
            key = (TableName, tuple((d["Name"], d["Value"]) for d in full["Dimensions"]), full["MeasureName"], full["Time"])
            if self.records.get(key, full) != full:
                rejected.append({"RecordIndex": index, "Reason": "same version, different values"})
            else:
                self.records[key] = full
        if rejected:
            raise self.RejectedRecordsException(rejected)
        return {}

    def table(self, name: str) -> list[dict]:
        return [r for k, r in self.records.items() if k[0] == name]


@dataclass
class FakeSQSClient:
    sent: dict[str, list[str]] = field(default_factory=dict)
    batches: list[int] = field(default_factory=list)  # entries per SendMessageBatch call

    def send_message_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
        self.batches.append(len(Entries))
        self.sent.setdefault(QueueUrl, []).extend(e["MessageBody"] for e in Entries)
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}


def create_tables_and_bucket(aws: MotoWorld) -> None:
    """The user-events and user-profiles tables and the event-logs bucket, made in ``aws``."""
    aws.table(EVENTS_TABLE, "userId", "eventKey")
    aws.table(PROFILES_TABLE, "userId")
    aws.bucket(BUCKET)


def settings(timestream: bool = True) -> Settings:
    env = {
        "USER_EVENTS_TABLE": EVENTS_TABLE,
        "USER_PROFILES_TABLE": PROFILES_TABLE,
        "STRUGGLE_QUEUE_URL": STRUGGLE_URL,
        "VIDEO_QUEUE_URL": VIDEO_URL,
        "EVENT_LOGS_BUCKET": BUCKET,
        "TIMESTREAM_DATABASE": DATABASE if timestream else "",
        "POWERTOOLS_SERVICE_NAME": "event-processor",
        "POWERTOOLS_METRICS_NAMESPACE": "UserJourneyAnalytics",
        "LOG_LEVEL": "INFO",
    }
    return Settings("event-processor", environ=env)


def _no_wait(_seconds: float) -> None:
    """Adapters' backoff without waiting."""


@dataclass
class World:
    """Moto DynamoDB and S3 behind call-counting spies, fake Timestream and SQS clients."""

    dynamodb: Spy
    s3: Spy
    timestream: FakeTimestreamClient
    sqs: FakeSQSClient
    deps: Dependencies

    @classmethod
    def create(cls, aws: MotoWorld, timestream: bool = True) -> World:
        create_tables_and_bucket(aws)
        dynamodb, s3 = Spy(client("dynamodb")), Spy(client("s3"))
        ts, sqs = FakeTimestreamClient(), FakeSQSClient()
        deps = Dependencies(settings(timestream), DynamoDB(dynamodb, sleep=_no_wait), SQS(sqs, sleep=_no_wait), S3(s3), Timestream(ts))
        return cls(dynamodb, s3, ts, sqs, deps)

    def events(self) -> dict[tuple[str, str], dict]:
        items = self.dynamodb._client.scan(TableName=EVENTS_TABLE)["Items"]
        return {(i["userId"]["S"], i["eventKey"]["S"]): i for i in items}

    def profiles(self) -> dict[str, dict]:
        return {i["userId"]["S"]: i for i in self.dynamodb._client.scan(TableName=PROFILES_TABLE)["Items"]}

    def quarantine(self) -> dict[str, dict]:
        listing = self.s3._client.list_objects_v2(Bucket=BUCKET, Prefix="quarantine/").get("Contents", [])
        return {o["Key"]: json.loads(self.s3._client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()) for o in listing}

    def messages(self) -> dict[str, set[str]]:
        return {url: set(bodies) for url, bodies in self.sqs.sent.items()}

    def snapshot(self) -> dict[str, Any]:
        return {
            "events": self.events(),
            "profiles": self.profiles(),
            "timestream": dict(self.timestream.records),
            "messages": self.messages(),
            "quarantine": self.quarantine(),
        }
