"""Small classes around the boto3 clients the functions use.

Each adapter takes a client (tests pass a fake or a moto-backed client) or creates its boto3 client
on first use, so importing a handler imports no boto3. Adapters turn service quirks into plain
results: unprocessed items are retried (only those), conditional failures become
``ConditionFailed``, partially failed SQS batches are retried for the failed entries only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from common.dynamo import Item
from common.metrics import RECORDS_REJECTED, TIMESTREAM_DISABLED, Counts
from common.settings import Settings

BATCH_WRITE_LIMIT = 25
BATCH_GET_LIMIT = 100
SQS_BATCH_LIMIT = 10
TIMESTREAM_BATCH_LIMIT = 100
# Retries of unprocessed items/entries: 4 attempts in all, with exponential backoff from 50 ms.
ATTEMPTS = 4
BACKOFF_SECONDS = 0.05


class TransientError(RuntimeError):
    """Work the service did not finish after the retries; the records involved are retried by Lambda."""


class ConditionFailed(Exception):
    """A conditional write found the item changed (DynamoDB ConditionalCheckFailedException)."""


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _client_config():
    from botocore.config import Config

    # Fail fast inside a 30-60 s Lambda: short timeouts, the SDK's standard retry mode.
    return Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})


class _Adapter:
    service: str = ""

    def __init__(self, client: Any = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = client
        self._sleep = sleep

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(self.service, config=_client_config())
        return self._client

    def _backoff(self, attempt: int) -> None:
        self._sleep(BACKOFF_SECONDS * 2**attempt)


class DynamoDB(_Adapter):
    service = "dynamodb"

    def batch_write(self, table: str, items: Sequence[Item]) -> int:
        """Put every item (25 per call), retrying unprocessed items only; returns the number of calls."""
        calls = 0
        for chunk in chunks(items, BATCH_WRITE_LIMIT):
            pending: list[dict] = [{"PutRequest": {"Item": item}} for item in chunk]
            for attempt in range(ATTEMPTS):
                if attempt:
                    self._backoff(attempt)
                calls += 1
                response = self.client.batch_write_item(RequestItems={table: pending})
                pending = response.get("UnprocessedItems", {}).get(table, [])
                if not pending:
                    break
            else:
                raise TransientError(f"BatchWriteItem on {table}: {len(pending)} items still unprocessed after {ATTEMPTS} attempts")
        return calls

    def batch_get(self, table: str, keys: Sequence[Item], projection: Sequence[str] = (), consistent: bool = True) -> list[Item]:
        """Read items by key (100 per call, strongly consistent), retrying unprocessed keys only."""
        found: list[Item] = []
        request: dict[str, Any] = {"ConsistentRead": consistent}
        if projection:
            request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(projection)))
            request["ExpressionAttributeNames"] = {f"#p{i}": name for i, name in enumerate(projection)}
        for chunk in chunks(keys, BATCH_GET_LIMIT):
            pending = list(chunk)
            for attempt in range(ATTEMPTS):
                if attempt:
                    self._backoff(attempt)
                response = self.client.batch_get_item(RequestItems={table: {**request, "Keys": pending}})
                found.extend(response.get("Responses", {}).get(table, []))
                pending = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
                if not pending:
                    break
            else:
                raise TransientError(f"BatchGetItem on {table}: {len(pending)} keys still unprocessed after {ATTEMPTS} attempts")
        return found

    def _conditional(self, operation: str, **kwargs: Any) -> dict:
        try:
            return getattr(self.client, operation)(**kwargs)
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise ConditionFailed(f"{operation} on {kwargs.get('TableName')}: condition failed") from exc

    def update_item(self, **kwargs: Any) -> dict:
        return self._conditional("update_item", **kwargs)

    def put_item(self, **kwargs: Any) -> dict:
        return self._conditional("put_item", **kwargs)

    def delete_item(self, **kwargs: Any) -> dict:
        return self._conditional("delete_item", **kwargs)

    def get_item(self, table: str, key: Item, consistent: bool = True) -> Item | None:
        return self.client.get_item(TableName=table, Key=key, ConsistentRead=consistent).get("Item")

    def query(self, **kwargs: Any) -> list[Item]:
        """Every page of a Query."""
        items: list[Item] = []
        while True:
            response = self.client.query(**kwargs)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs = {**kwargs, "ExclusiveStartKey": response["LastEvaluatedKey"]}


class SQS(_Adapter):
    service = "sqs"

    def send_batch(self, queue_url: str, bodies: Sequence[str]) -> int:
        """Send message bodies (10 per call), retrying only the entries the service failed; returns calls."""
        calls = 0
        for chunk in chunks(bodies, SQS_BATCH_LIMIT):
            pending = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
            for attempt in range(ATTEMPTS):
                if attempt:
                    self._backoff(attempt)
                calls += 1
                response = self.client.send_message_batch(QueueUrl=queue_url, Entries=pending)
                failed = {f["Id"]: f for f in response.get("Failed", [])}
                permanent = [f for f in failed.values() if f.get("SenderFault")]
                if permanent:
                    # Our fault (e.g. a malformed body): no point in retrying here; raising reports the records
                    # as batch item failures, so after Lambda's retries they reach the on-failure destination.
                    raise TransientError(
                        f"SendMessageBatch to {queue_url}: rejected {permanent[0].get('Code')}: {permanent[0].get('Message')}"
                    )
                pending = [entry for entry in pending if entry["Id"] in failed]
                if not pending:
                    break
            else:
                raise TransientError(f"SendMessageBatch to {queue_url}: {len(pending)} messages still failed after {ATTEMPTS} attempts")
        return calls

    def send(self, queue_url: str, body: str) -> None:
        self.client.send_message(QueueUrl=queue_url, MessageBody=body)


class S3(_Adapter):
    service = "s3"

    def put_object(self, bucket: str, key: str, body: bytes, content_type: str = "application/json") -> None:
        self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


class Timestream(_Adapter):
    service = "timestream-write"

    def write_records(self, database: str, table: str, records: Sequence[dict], common: dict | None = None) -> tuple[int, int]:
        """Write records (100 per call) with optional CommonAttributes; returns (calls, rejected).

        Rejected records are permanent (e.g. a conflicting version) and are counted, not retried;
        throttling and the like raise.
        """
        calls = rejected = 0
        extra = {"CommonAttributes": common} if common else {}
        for chunk in chunks(records, TIMESTREAM_BATCH_LIMIT):
            calls += 1
            try:
                self.client.write_records(DatabaseName=database, TableName=table, Records=list(chunk), **extra)
            except self.client.exceptions.RejectedRecordsException as exc:
                rejected += len(exc.response.get("RejectedRecords", [])) or len(chunk)
        return calls, rejected


class SNS(_Adapter):
    service = "sns"

    def publish(self, topic_arn: str, message: str, attributes: dict[str, dict[str, str]] | None = None) -> str:
        response = self.client.publish(TopicArn=topic_arn, Message=message, MessageAttributes=attributes or {})
        return response["MessageId"]


class SageMakerRuntime(_Adapter):
    service = "sagemaker-runtime"

    def invoke(self, endpoint: str, payload: dict) -> dict:
        """Invoke a JSON endpoint and return its decoded JSON answer."""
        response = self.client.invoke_endpoint(
            EndpointName=endpoint, ContentType="application/json", Accept="application/json", Body=json.dumps(payload)
        )
        return json.loads(response["Body"].read())


@dataclass(frozen=True)
class ScoringDependencies:
    """What the two scoring functions (struggle detector, video analyzer) work with: their settings,
    the adapters (each makes its client on first use) and the clock (epoch ms)."""

    settings: Settings
    dynamodb: DynamoDB
    sqs: SQS
    timestream: Timestream
    sagemaker: SageMakerRuntime
    clock: Callable[[], int]

    @classmethod
    def of(cls, function: str, clock: Callable[[], int]) -> ScoringDependencies:
        """The function's settings and adapters, nothing read and no client made until first use."""
        return cls(Settings(function), DynamoDB(), SQS(), Timestream(), SageMakerRuntime(), clock)

    def write_timestream(self, table: str, record: dict, counts: Counts) -> None:
        """Write one record to a Timestream table, or count it as skipped when Timestream is off;
        rejected records are permanent, so they are counted (``RecordsRejected``), not retried."""
        if not self.settings.timestream_enabled:
            counts.add(TIMESTREAM_DISABLED)
            return
        _, rejected = self.timestream.write_records(self.settings.TIMESTREAM_DATABASE, table, [record])
        if rejected:
            counts.add(RECORDS_REJECTED, rejected)
