"""The intervention executor against moto: channels, the hourly limit, history, publish retries, Bedrock."""

from __future__ import annotations

import hashlib
import json

import pytest

from common.adapters import SNS, DynamoDB
from common.dynamo import from_item, to_item
from common.messages import InterventionRequest
from common.metrics import Counts
from intervention_executor import handler, rules, service
from tests.support.agent_contract import problems
from tests.support.lambdas import bedrock_body, bedrock_event, emf_metrics, lambda_context, sqs_event
from tests.support.sqs_functions import T0, Aws, Interleaved

USER = "u-1"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


class Published:
    """The topic's messages, through an SQS subscription with raw delivery (attributes kept)."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        url = aws.queue_urls["support"]
        arn = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        aws.sns.subscribe(TopicArn=aws.topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
        self.url = url

    def take(self) -> list[tuple[str, dict]]:
        """(audience attribute, message) of each published message."""
        out = []
        while msgs := self.aws.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
            "Messages", []
        ):
            for m in msgs:
                out.append((m["MessageAttributes"]["audience"]["StringValue"], json.loads(m["Body"])))
                self.aws.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        return sorted(out, key=lambda p: (p[1]["requestId"], p[0]))


@pytest.fixture
def published(aws: Aws) -> Published:
    return Published(aws)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def deps(aws: Aws, clock: Clock) -> service.Dependencies:
    return service.Dependencies(aws.settings("intervention-executor"), DynamoDB(aws.dynamodb), SNS(aws.sns), clock)


def request(n: int, priority: str = "high", kind: str = "contextual_help") -> InterventionRequest:
    return InterventionRequest(
        requestId=f"r{n}",
        sourceEventIds=[f"e{n}"],
        userId=USER,
        interventionType=kind,
        priority=priority,
        featureId="export",
        riskScore=70.0,
    )


def run(aws: Aws, clock: Clock, *requests: InterventionRequest, d: service.Dependencies | None = None) -> dict:
    event = sqs_event([r.model_dump_json(exclude_none=True) for r in requests])
    return handler.handle(event, lambda_context(), d or deps(aws, clock), aws.idempotency("intervention-executor"))


def history(aws: Aws) -> list[dict]:
    item = aws.dynamodb.get_item(TableName="uja-user-profiles-test", Key={"userId": {"S": USER}})["Item"]
    return from_item(item)["interventionHistory"]


@pytest.mark.spec("executor-channels")
@pytest.mark.parametrize(("priority", "channel"), [("high", "push"), ("normal", "in_app"), ("low", "in_app")])
def test_priority_decides_the_channel(aws: Aws, clock: Clock, published: Published, priority: str, channel: str) -> None:
    assert run(aws, clock, request(1, priority)) == {"batchItemFailures": []}
    ((audience, message),) = published.take()
    assert audience == "user" == message["audience"]
    assert (message["channel"], message["requestId"], message["priority"], message["at"]) == (channel, "r1", priority, T0)
    assert message["text"] == rules.text("contextual_help")
    assert history(aws) == [
        {"requestId": "r1", "type": "contextual_help", "priority": priority, "channel": channel, "at": T0, "status": "sent"}
    ]


@pytest.mark.spec("executor-channels")
@pytest.mark.spec("notification-audience")
def test_critical_also_tells_support(aws: Aws, clock: Clock, published: Published) -> None:
    run(aws, clock, request(1, "critical", "live_chat_offer"))
    (support, to_support), (user, to_user) = published.take()
    assert (support, user) == ("support", "user")
    assert to_user["channel"] == to_support["channel"] == "push"
    assert to_user["text"] == rules.text("live_chat_offer")
    assert USER in to_support["text"]
    assert history(aws)[0]["status"] == "sent"


@pytest.mark.spec("executor-hourly-limit")
@pytest.mark.spec("executor-suppressed")
def test_a_fourth_in_an_hour_is_suppressed(aws: Aws, clock: Clock, published: Published, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(3):
        run(aws, clock, request(n))
        clock.now += 60_000
    capsys.readouterr()
    run(aws, clock, request(3))
    assert emf_metrics(capsys.readouterr().out)["InterventionsSuppressed"] == 1
    assert [e["status"] for e in history(aws)] == ["sent", "sent", "sent", "suppressed"]
    assert [m["requestId"] for _, m in published.take()] == ["r0", "r1", "r2"]
    clock.now = T0 + 3_600_000  # the first one is an hour old
    run(aws, clock, request(4))
    assert [m["requestId"] for _, m in published.take()] == ["r4"]


@pytest.mark.spec("executor-history-50")
def test_history_keeps_the_last_50(aws: Aws, clock: Clock, published: Published) -> None:
    old = [
        {"requestId": f"old{n}", "type": "gentle_guidance", "priority": "low", "channel": "in_app", "at": T0 - 86_400_000, "status": "sent"}
        for n in range(50)
    ]
    aws.dynamodb.put_item(
        TableName="uja-user-profiles-test", Item=to_item({"userId": USER, "interventionHistory": old, "version": 7, "totalEvents": 3})
    )
    run(aws, clock, request(1))
    kept = history(aws)
    assert len(kept) == 50 and kept[0]["requestId"] == "old1" and kept[-1]["requestId"] == "r1"
    profile = from_item(aws.dynamodb.get_item(TableName="uja-user-profiles-test", Key={"userId": {"S": USER}})["Item"])
    assert profile["version"] == 9 and profile["totalEvents"] == 3  # appended, then marked sent; other attributes kept


class FlakySNS(SNS):
    """Fails the n-th publish (1-based) once."""

    def __init__(self, client: object, fail_at: int) -> None:
        super().__init__(client)
        self.fail_at, self.calls = fail_at, 0

    def publish(self, topic_arn: str, message: str, attributes: dict | None = None) -> str:
        self.calls += 1
        if self.calls == self.fail_at:
            raise RuntimeError("SNS unavailable")
        return super().publish(topic_arn, message, attributes)


@pytest.mark.spec("executor-failed-publish-retried")
@pytest.mark.parametrize(
    ("priority", "fail_at", "expected"), [("high", 1, ["user"]), ("critical", 1, ["support", "user"]), ("critical", 2, ["support", "user"])]
)
def test_a_failed_publish_is_retried_without_a_second_publish(
    aws: Aws, clock: Clock, published: Published, priority: str, fail_at: int, expected: list[str]
) -> None:
    d = service.Dependencies(aws.settings("intervention-executor"), DynamoDB(aws.dynamodb), FlakySNS(aws.sns, fail_at), clock)
    assert run(aws, clock, request(1, priority), d=d) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert history(aws)[0]["status"] in ("pending", "user_published")
    clock.now += 5_000
    assert run(aws, clock, request(1, priority), d=d) == {"batchItemFailures": []}
    assert [audience for audience, _ in published.take()] == expected
    (entry,) = history(aws)
    assert (entry["status"], entry["at"]) == ("sent", T0)


def test_redelivery_publishes_nothing_more(aws: Aws, clock: Clock, published: Published) -> None:
    run(aws, clock, request(1))
    run(aws, clock, request(1))
    service.execute(deps(aws, clock), request(1), Counts())  # even past the idempotency layer: the history knows it
    assert len(published.take()) == 1 and len(history(aws)) == 1


def test_concurrent_requests_both_land(aws: Aws, clock: Clock, published: Published) -> None:
    other = deps(aws, clock)
    racing = service.Dependencies(
        other.settings, Interleaved(aws.dynamodb, lambda: service.execute(other, request(2), Counts())), SNS(aws.sns), clock
    )
    counts = Counts()
    service.execute(racing, request(1), counts)
    assert counts["ConditionalConflicts"] == 1
    assert sorted(e["requestId"] for e in history(aws)) == ["r1", "r2"]
    assert [m["requestId"] for _, m in published.take()] == ["r1", "r2"]


def test_out_of_range_priority_in_a_message_fails_that_record(aws: Aws, clock: Clock, published: Published) -> None:
    bad = json.dumps({**json.loads(request(1).model_dump_json()), "priority": "urgent"})
    result = handler.handle(
        sqs_event([bad, request(2).model_dump_json()]), lambda_context(), deps(aws, clock), aws.idempotency("intervention-executor")
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert [m["requestId"] for _, m in published.take()] == ["r2"]


def execute_via_bedrock(aws: Aws, clock: Clock, properties: dict) -> tuple[int, dict]:
    event = bedrock_event("intervention-engine", "/execute-intervention", properties)
    answer = handler.handle(event, lambda_context(), deps(aws, clock), aws.idempotency("intervention-executor"))
    assert answer["messageVersion"] == "1.0" and answer["response"]["actionGroup"] == "intervention-engine"
    return bedrock_body(answer)


@pytest.mark.spec("agent-intervention-engine-op")
@pytest.mark.spec("intervention-request-priorities")
def test_bedrock_executes_once_per_request(aws: Aws, clock: Clock, published: Published) -> None:
    properties = {"userId": ("string", USER), "interventionType": ("string", "helpful_resources"), "priority": ("string", "low")}
    status, body = execute_via_bedrock(aws, clock, properties)
    canonical = json.dumps(
        {"interventionType": "helpful_resources", "priority": "low", "userId": USER}, sort_keys=True, separators=(",", ":")
    )
    assert status == 200
    assert body["requestId"] == f"bedrock:sess-1:{hashlib.sha256(canonical.encode()).hexdigest()}"
    assert (body["status"], body["channel"]) == ("sent", "in_app")
    assert problems("intervention-engine", "/execute-intervention", 200, body) == []
    assert execute_via_bedrock(aws, clock, properties) == (200, body)
    assert len(published.take()) == 1


@pytest.mark.spec("agent-intervention-engine-op")
@pytest.mark.spec("agent-priority-values")
@pytest.mark.parametrize(
    ("properties", "field"),
    [
        ({"userId": ("string", USER), "interventionType": ("string", "contextual_help"), "priority": ("string", "urgent")}, "priority"),
        ({"userId": ("string", USER), "interventionType": ("string", "spam")}, "interventionType"),
        ({"interventionType": ("string", "contextual_help")}, "userId"),
        (
            {
                "userId": ("string", USER),
                "interventionType": ("string", "contextual_help"),
                "featureId": ("string", "a"),
                "videoId": ("string", "b"),
            },
            "featureId or a videoId",
        ),
    ],
)
def test_bedrock_rejects_out_of_range_values(aws: Aws, clock: Clock, published: Published, properties: dict, field: str) -> None:
    status, body = execute_via_bedrock(aws, clock, properties)
    assert status == 400 and field in body["error"]
    assert problems("intervention-engine", "/execute-intervention", 400, body) == []
    assert published.take() == []
