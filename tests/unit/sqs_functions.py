"""moto-backed resources and fakes shared by the struggle detector, video analyzer and executor tests
(and ``benchmarks/handlers.py``)."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from botocore.exceptions import ClientError
from sagemaker_inference.exit_risk import inference as exit_inference
from sagemaker_inference.video_engagement import inference as video_inference

from common.adapters import DynamoDB
from common.settings import Settings
from common.sqs_batch import Idempotency

REGION = "us-east-1"
T0 = 1_700_000_000_000
TABLES: dict[str, tuple[tuple[str, str | None], list[tuple[str, str]]]] = {
    "uja-user-profiles-test": (("userId", None), [("userId", "S")]),
    "uja-user-events-test": (("userId", "eventKey"), [("userId", "S"), ("eventKey", "S")]),
    "uja-struggle-signals-test": (("userId", "signalKey"), [("userId", "S"), ("signalKey", "S")]),
    "uja-video-engagement-test": (("userId", "videoId"), [("userId", "S"), ("videoId", "S")]),
    "uja-idempotency-test": (("id", None), [("id", "S")]),
}


def environment(queue_urls: dict[str, str], topic_arn: str, timestream: bool = True) -> dict[str, str]:
    return {
        "USER_PROFILES_TABLE": "uja-user-profiles-test",
        "USER_EVENTS_TABLE": "uja-user-events-test",
        "STRUGGLE_SIGNALS_TABLE": "uja-struggle-signals-test",
        "VIDEO_ENGAGEMENT_TABLE": "uja-video-engagement-test",
        "IDEMPOTENCY_TABLE": "uja-idempotency-test",
        "INTERVENTIONS_QUEUE_URL": queue_urls["interventions"],
        "TIMESTREAM_DATABASE": "uja-test" if timestream else "",
        "EXIT_RISK_ENDPOINT": "uja-exit-risk-test",
        "VIDEO_ENDPOINT": "uja-video-engagement-test",
        "USER_INTERVENTIONS_TOPIC_ARN": topic_arn,
        "POWERTOOLS_SERVICE_NAME": "test",
        "POWERTOOLS_METRICS_NAMESPACE": "UserJourneyAnalytics",
        "LOG_LEVEL": "INFO",
    }


class FakeEndpoint:
    """sagemaker-runtime's invoke_endpoint served by the model's inference script, or failing on demand."""

    def __init__(self, script: ModuleType) -> None:
        self.script = script
        self.calls = 0
        self.fail = False

    def invoke_endpoint(self, EndpointName: str, ContentType: str, Accept: str, Body: str) -> dict:
        self.calls += 1
        if self.fail:
            raise ClientError({"Error": {"Code": "ModelError", "Message": "endpoint down"}}, "InvokeEndpoint")
        model = self.script.model_fn("/opt/ml/model")
        body, _ = self.script.output_fn(self.script.predict_fn(self.script.input_fn(Body, ContentType), model), Accept)
        return {"Body": io.BytesIO(body.encode())}


@dataclass
class Aws:
    """Clients on moto, the resources the three functions use, and their settings."""

    dynamodb: Any
    sqs: Any
    sns: Any
    timestream: Any
    queue_urls: dict[str, str]
    topic_arn: str
    exit_endpoint: FakeEndpoint = field(default_factory=lambda: FakeEndpoint(exit_inference))
    video_endpoint: FakeEndpoint = field(default_factory=lambda: FakeEndpoint(video_inference))

    def settings(self, function: str, timestream: bool = True) -> Settings:
        return Settings(function, environ=environment(self.queue_urls, self.topic_arn, timestream))

    def idempotency(self, prefix: str) -> Idempotency:
        layer = DynamoDBPersistenceLayer(table_name="uja-idempotency-test", boto3_client=self.dynamodb)
        config = IdempotencyConfig(event_key_jmespath="requestId", expires_after_seconds=7 * 24 * 3600)
        return Idempotency(lambda: (layer, config), prefix)

    def messages(self, queue: str) -> list[dict]:
        """Every message on a queue (received and deleted)."""
        out: list[dict] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_urls[queue], MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            for m in got:
                out.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_urls[queue], ReceiptHandle=m["ReceiptHandle"])


@functools.cache
def _client(service: str) -> Any:
    """One client per service for the whole run (building one takes ~0.2 s); moto serves them inside each mock."""
    return boto3.client(service, region_name=REGION)


def create() -> Aws:
    """Create the tables, queues, topic and Timestream tables in the active moto mock."""
    dynamodb = _client("dynamodb")
    for name, ((hash_key, range_key), attributes) in TABLES.items():
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        if range_key:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        dynamodb.create_table(
            TableName=name,
            KeySchema=schema,
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in attributes],
            BillingMode="PAY_PER_REQUEST",
        )
    sqs = _client("sqs")
    queues = {q: sqs.create_queue(QueueName=f"uja-{q}-test")["QueueUrl"] for q in ("interventions", "support")}
    sns = _client("sns")
    topic = sns.create_topic(Name="uja-user-interventions-test")["TopicArn"]
    timestream = _client("timestream-write")
    timestream.create_database(DatabaseName="uja-test")
    for table in ("struggle-signals", "video-engagement"):
        timestream.create_table(DatabaseName="uja-test", TableName=table)
    return Aws(dynamodb, sqs, sns, timestream, queues, topic)


class Context:
    """The parts of the Lambda context the handlers and Powertools read."""

    function_name = "test"
    aws_request_id = "req-1"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def sqs_event(bodies: list[str]) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"rh{i}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "0",
                    "SenderId": "x",
                    "ApproximateFirstReceiveTimestamp": "0",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": REGION,
            }
            for i, body in enumerate(bodies)
        ]
    }


def bedrock_event(action_group: str, api_path: str, properties: dict[str, tuple[str, object]], session: str = "sess-1") -> dict:
    return {
        "messageVersion": "1.0",
        "agent": {"name": "uja-agent-test", "id": "A", "alias": "live", "version": "1"},
        "sessionId": session,
        "actionGroup": action_group,
        "apiPath": api_path,
        "httpMethod": "POST",
        "parameters": [],
        "requestBody": {
            "content": {"application/json": {"properties": [{"name": k, "type": t, "value": v} for k, (t, v) in properties.items()]}}
        },
    }


def bedrock_body(answer: dict) -> tuple[int, dict]:
    response = answer["response"]
    return response["httpStatusCode"], json.loads(response["responseBody"]["application/json"]["body"])


def emf_metrics(output: str) -> dict[str, float]:
    """Metric values from the EMF lines a handler printed."""
    found: dict[str, float] = {}
    for line in output.splitlines():
        if line.startswith("{") and "_aws" in line:
            doc = json.loads(line)
            for directive in doc["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    value = doc[metric["Name"]]
                    found[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return found


class Interleaved(DynamoDB):
    """A writer's adapter that lets another writer run right after its first read (``other()``):
    the race a version or limit condition must survive."""

    def __init__(self, client: object, other: Callable[[], object]) -> None:
        super().__init__(client)
        self.other = other
        self.reads = 0

    def get_item(self, table: str, key: dict, consistent: bool = True) -> dict | None:
        item = super().get_item(table, key, consistent)
        self.reads += 1
        if self.reads == 1:
            self.other()
        return item
