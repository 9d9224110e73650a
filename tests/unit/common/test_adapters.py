"""Adapters: chunking, retries of unprocessed work only, error translation; moto for real boto3 calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from common.adapters import ATTEMPTS, S3, SQS, ConditionFailed, DynamoDB, Timestream, TransientError
from tests.support.moto_world import MotoWorld

REPO = Path(__file__).resolve().parents[3]


def put(i: int) -> dict:
    return {"pk": {"S": f"k{i}"}}


class UnprocessedDynamo:
    """batch_write_item fake: the first ``rounds`` requests leave their last ``hold`` items unprocessed."""

    def __init__(self, hold: int, rounds: int) -> None:
        self.hold, self.rounds, self.requests = hold, rounds, []

    def batch_write_item(self, RequestItems: dict) -> dict:
        ((table, requests),) = RequestItems.items()
        self.requests.append(list(requests))
        if self.rounds:
            self.rounds -= 1
            return {"UnprocessedItems": {table: requests[-self.hold :]}}
        return {"UnprocessedItems": {}}


def test_batch_write_chunks_by_25_and_retries_only_unprocessed(sleeps: list[float]) -> None:
    fake = UnprocessedDynamo(hold=3, rounds=1)
    calls = DynamoDB(fake, sleep=sleeps.append).batch_write("t", [put(i) for i in range(60)])
    assert [len(r) for r in fake.requests] == [25, 3, 25, 10]
    assert fake.requests[1] == fake.requests[0][-3:]  # only what came back unprocessed
    assert calls == 4 and len(sleeps) == 1


def test_batch_write_gives_up_with_a_transient_error(sleeps: list[float]) -> None:
    fake = UnprocessedDynamo(hold=2, rounds=99)
    with pytest.raises(TransientError, match="2 items still unprocessed"):
        DynamoDB(fake, sleep=sleeps.append).batch_write("t", [put(i) for i in range(5)])
    assert len(fake.requests) == ATTEMPTS
    assert sleeps == sorted(sleeps) and len(sleeps) == ATTEMPTS - 1  # growing backoff


def test_batch_get_retries_only_unprocessed_keys(sleeps: list[float]) -> None:
    requests: list[list] = []

    def batch_get_item(RequestItems: dict) -> dict:
        keys = RequestItems["t"]["Keys"]
        assert RequestItems["t"]["ConsistentRead"] is True
        requests.append(keys)
        done, later = (keys[:-1], keys[-1:]) if len(requests) == 1 else (keys, [])
        return {"Responses": {"t": done}, "UnprocessedKeys": {"t": {"Keys": later}} if later else {}}

    found = DynamoDB(SimpleNamespace(batch_get_item=batch_get_item), sleep=sleeps.append).batch_get("t", [put(i) for i in range(150)])
    assert [len(r) for r in requests] == [100, 1, 50]
    assert sorted(f["pk"]["S"] for f in found) == sorted(f"k{i}" for i in range(150))


class FlakySQS:
    def __init__(self, fail_ids: set[str], sender_fault: bool = False) -> None:
        self.fail_ids, self.sender_fault, self.requests = fail_ids, sender_fault, []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
        self.requests.append(Entries)
        failed = [
            {"Id": e["Id"], "SenderFault": self.sender_fault, "Code": "X", "Message": "m"} for e in Entries if e["Id"] in self.fail_ids
        ]
        self.fail_ids = set()
        return {"Successful": [], "Failed": failed}


def test_sqs_chunks_by_10_and_retries_failed_entries_only(sleeps: list[float]) -> None:
    fake = FlakySQS({"1", "4"})
    calls = SQS(fake, sleep=sleeps.append).send_batch("q", [f"b{i}" for i in range(13)])
    assert calls == 3
    assert [e["MessageBody"] for e in fake.requests[1]] == ["b1", "b4"]
    assert len(fake.requests[2]) == 3


def test_sqs_sender_fault_is_reported(sleeps: list[float]) -> None:
    with pytest.raises(TransientError, match="rejected X"):
        SQS(FlakySQS({"0"}, sender_fault=True), sleep=sleeps.append).send_batch("q", ["b"])


class RejectingTimestream:
    class RejectedRecordsException(Exception):
        def __init__(self, rejected: int) -> None:
            super().__init__("rejected")
            self.response = {"RejectedRecords": [{"RecordIndex": i} for i in range(rejected)]}

    def __init__(self) -> None:
        self.exceptions = SimpleNamespace(RejectedRecordsException=self.RejectedRecordsException)
        self.calls: list[dict] = []

    def write_records(self, **kwargs: object) -> dict:
        self.calls.append(kwargs)
        if len(self.calls) == 2:
            raise self.RejectedRecordsException(2)
        return {}


def test_timestream_chunks_by_100_and_counts_rejections() -> None:
    fake = RejectingTimestream()
    common = {"MeasureName": "m"}
    assert Timestream(fake).write_records("db", "t", [{"Time": str(i)} for i in range(250)], common) == (3, 2)
    assert [len(c["Records"]) for c in fake.calls] == [100, 100, 50]
    assert all(c["CommonAttributes"] == common for c in fake.calls)


def test_clients_are_created_on_first_use(aws_world: MotoWorld) -> None:
    adapter = DynamoDB()
    assert adapter._client is None
    assert adapter.client.meta.service_model.service_name == "dynamodb"
    assert adapter.client is adapter.client


def test_moto_dynamodb_round_trip_and_conditions(aws_world: MotoWorld) -> None:
    db = DynamoDB(boto3.client("dynamodb"))
    table = aws_world.table("t", "pk")
    assert db.batch_write(table, [put(i) | {"n": {"N": str(i)}} for i in range(30)]) == 2
    assert len(db.batch_get(table, [put(i) for i in range(30)] + [put(99)], projection=("pk",))) == 30

    def set_n(new: int, old: int) -> None:
        db.update_item(
            TableName=table,
            Key=put(1),
            UpdateExpression="SET n = :n",
            ConditionExpression="n = :old",
            ExpressionAttributeValues={":n": {"N": str(new)}, ":old": {"N": str(old)}},
        )

    set_n(5, old=1)
    with pytest.raises(ConditionFailed, match="update_item on t"):
        set_n(6, old=1)
    assert db.get_item(table, put(1))["n"] == {"N": "5"}
    assert len(db.query(TableName=table, KeyConditionExpression="pk = :k", ExpressionAttributeValues={":k": {"S": "k2"}}, Limit=1)) == 1


def test_moto_sqs_and_s3(aws_world: MotoWorld) -> None:
    sqs = boto3.client("sqs")
    url = aws_world.queue("q")
    assert SQS(sqs).send_batch(url, [f"m{i}" for i in range(12)]) == 2
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]
        == "12"
    )
    s3 = boto3.client("s3")
    bucket = aws_world.bucket("uja-event-logs-test")
    S3(s3).put_object(bucket, "quarantine/x.json", b"{}")
    assert s3.get_object(Bucket=bucket, Key="quarantine/x.json")["Body"].read() == b"{}"


def test_handler_import_loads_no_boto3_tracer_or_batch() -> None:
    code = "import sys, event_processor.handler; print(sorted(m for m in ('boto3', 'botocore', 'aws_xray_sdk', 'aws_lambda_powertools.tracing', 'aws_lambda_powertools.utilities.batch', 'aws_lambda_powertools.utilities.idempotency') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO / "functions", capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
