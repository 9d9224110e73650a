"""The AWS world of the three SQS functions (struggle detector, video analyzer, intervention executor)
in moto, with fake SageMaker endpoints; shared by their tests and ``benchmarks/handlers.py``."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from botocore.exceptions import ClientError
from sagemaker_inference.exit_risk import inference as exit_inference
from sagemaker_inference.video_engagement import inference as video_inference

from common.adapters import SQS, DynamoDB, SageMakerRuntime, ScoringDependencies, Timestream
from common.settings import Settings
from common.sqs_batch import Idempotency
from tests.support.moto_world import MotoWorld, client

T0 = 1_700_000_000_000
TABLES = {
    "uja-user-profiles-test": ("userId",),
    "uja-user-events-test": ("userId", "eventKey"),
    "uja-struggle-signals-test": ("userId", "signalKey"),
    "uja-video-engagement-test": ("userId", "videoId"),
    "uja-idempotency-test": ("id",),
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

    def scoring_deps(
        self, function: str, timestream: bool = True, clock: Callable[[], int] = lambda: T0, dynamodb: DynamoDB | None = None
    ) -> ScoringDependencies:
        """The struggle detector's (exit-risk endpoint) or the video analyzer's (engagement endpoint) dependencies."""
        endpoint = self.exit_endpoint if function == "struggle-detector" else self.video_endpoint
        return ScoringDependencies(
            self.settings(function, timestream),
            dynamodb or DynamoDB(self.dynamodb),
            SQS(self.sqs),
            Timestream(self.timestream),
            SageMakerRuntime(endpoint),
            clock,
        )

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


def create(world: MotoWorld) -> Aws:
    """The tables, queues, topic and Timestream tables of the three functions, made in ``world``."""
    for name, keys in TABLES.items():
        world.table(name, *keys)
    queues = {q: world.queue(f"uja-{q}-test") for q in ("interventions", "support")}
    topic = world.topic("uja-user-interventions-test")
    for table in ("struggle-signals", "video-engagement"):
        world.timestream_table("uja-test", table)
    return Aws(client("dynamodb"), client("sqs"), client("sns"), client("timestream-write"), queues, topic)


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
