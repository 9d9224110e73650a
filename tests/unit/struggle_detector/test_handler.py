"""The struggle detector against moto: signals, cooldown windows, idempotency, Bedrock, fallback."""

from __future__ import annotations

import json
import zlib

import pytest

from common.dynamo import from_item, to_item
from common.messages import StruggleCandidate
from common.metrics import Counts
from struggle_detector import handler, rules, service
from tests.support.agent_contract import problems
from tests.support.lambdas import bedrock_body, bedrock_event, emf_metrics, lambda_context, sqs_event
from tests.support.sqs_functions import T0, Aws

USER = "u-1"
COOLDOWN_MS = 30 * 60_000  # the spec's 30 minutes, not the code's constant


def deps(aws: Aws, timestream: bool = True, now: int = T0) -> service.Dependencies:
    return aws.scoring_deps("struggle-detector", timestream, clock=lambda: now)


def candidate(n: int, at: int, attempts: int = 5, feature: str = "export", user: str = USER) -> StruggleCandidate:
    return StruggleCandidate(
        requestId=f"struggle:e{n}",
        sourceEventIds=[f"e{n}"],
        userId=user,
        sessionId="s1",
        featureId=feature,
        attemptCount=attempts,
        eventType="feature_interaction",
        detectedAt=at,
    )


def run(aws: Aws, *candidates: StruggleCandidate, timestream: bool = True) -> dict:
    event = sqs_event([c.model_dump_json() for c in candidates])
    return handler.handle(event, lambda_context(), deps(aws, timestream), aws.idempotency("struggle-detector"))


def seed_signal(aws: Aws, at: int, severity: str = "medium", feature: str = "search") -> None:
    item = {
        "userId": USER,
        "signalKey": rules.signal_key(feature, at, f"old{at}"),
        "itemType": "signal",
        "detectedAt": at,
        "severity": severity,
    }
    aws.dynamodb.put_item(TableName="uja-struggle-signals-test", Item=to_item(item))


def seed_events(aws: Aws, count: int, action: str = "help") -> None:
    for i in range(count):
        at = T0 - 60_000 * (i + 1)
        event = {
            "userId": USER,
            "eventKey": f"{at:013d}#h{i}",
            "eventType": "user_action",
            "timestamp": at,
            "sessionId": "s1",
            "eventData": {"action": action},
        }
        aws.dynamodb.put_item(TableName="uja-user-events-test", Item=to_item(event))


def signals(aws: Aws) -> list[dict]:
    items = aws.dynamodb.query(
        TableName="uja-struggle-signals-test", KeyConditionExpression="userId = :u", ExpressionAttributeValues={":u": {"S": USER}}
    )["Items"]
    return [from_item(i) for i in items]


@pytest.mark.spec(
    "intervention-request-id-struggle", "dynamo-signal-ttl", "dynamo-severity-shard", "dynamo-signal-key", "struggle-intervention-type"
)
def test_high_risk_stores_the_signal_and_sends_one_request(aws: Aws) -> None:
    seed_signal(aws, T0 - 3_600_000)  # 50 (5 attempts) + 5 (one signal) + 5 (medium) = 60: high
    assert run(aws, candidate(1, T0)) == {"batchItemFailures": []}
    (stored,) = [s for s in signals(aws) if s["signalKey"].startswith("export#")]
    assert stored["signalKey"] == f"export#{T0}#e1" and stored["itemType"] == "signal"
    assert (stored["severity"], stored["riskScore"], stored["riskLevel"]) == ("critical", 60, "high")
    assert stored["severityShard"] == f"critical#{zlib.crc32(USER.encode()) % 10}" and stored["ttl"] == T0 // 1000 + 30 * 86_400
    (request,) = aws.messages("interventions")
    assert request["requestId"] == f"intervene:{USER}:export:{T0}"
    assert (request["interventionType"], request["priority"], request["featureId"], request["riskScore"]) == (
        "contextual_help",
        "high",
        "export",
        60.0,
    )


def test_medium_risk_sends_nothing(aws: Aws) -> None:
    run(aws, candidate(1, T0))  # 50: medium, exit risk 0.525 does not step it up
    assert aws.messages("interventions") == []
    assert [s["riskLevel"] for s in signals(aws)] == ["medium"]


@pytest.mark.spec("struggle-cooldown")
@pytest.mark.parametrize(("offset", "sent"), [(10 * 60_000, False), (COOLDOWN_MS, False), (COOLDOWN_MS + 1, True)])
def test_one_request_per_user_and_feature_per_30_minutes(aws: Aws, offset: int, sent: bool) -> None:
    seed_signal(aws, T0 - 3_600_000)
    run(aws, candidate(1, T0))
    run(aws, candidate(2, T0 + offset))
    ids = [m["requestId"] for m in aws.messages("interventions")]
    assert ids == [f"intervene:{USER}:export:{T0}"] + ([f"intervene:{USER}:export:{T0 + offset}"] if sent else [])
    # Another feature has its own window.
    run(aws, candidate(3, T0 + 60_000, feature="search"))
    assert [m["requestId"] for m in aws.messages("interventions")] == [f"intervene:{USER}:search:{T0 + 60_000}"]


@pytest.mark.spec("struggle-cooldown-condition")
def test_an_expired_window_not_yet_deleted_by_ttl_reopens(aws: Aws) -> None:
    seed_signal(aws, T0 - 3_600_000)
    stale = {
        "userId": USER,
        "signalKey": "cooldown#export",
        "itemType": "cooldown",
        "windowStart": T0 - 7_200_000,
        "expiresAt": T0 - 1,
        "openedBy": "x",
    }
    aws.dynamodb.put_item(TableName="uja-struggle-signals-test", Item=to_item(stale))
    run(aws, candidate(1, T0))
    assert len(aws.messages("interventions")) == 1
    window = next(s for s in signals(aws) if s["signalKey"] == "cooldown#export")
    assert (window["windowStart"], window["expiresAt"], window["openedBy"]) == (T0, T0 + COOLDOWN_MS, "struggle:e1")


def test_redelivery_changes_nothing(aws: Aws) -> None:
    seed_signal(aws, T0 - 3_600_000)
    run(aws, candidate(1, T0))
    before = signals(aws)
    assert run(aws, candidate(1, T0)) == {"batchItemFailures": []}
    assert signals(aws) == before
    assert len(aws.messages("interventions")) == 1


def test_prior_signals_exclude_the_current_one_and_cooldown_items(aws: Aws) -> None:
    seed_signal(aws, T0 - 3_600_000)
    d = deps(aws)
    first = service.detect(d, candidate(1, T0), Counts())
    again = service.detect(d, candidate(1, T0), Counts())  # bypassing idempotency: the stored signal is not "prior"
    assert first["riskScore"] == again["riskScore"] == 60


def test_a_retry_after_a_failed_send_still_sends(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_signal(aws, T0 - 3_600_000)
    d = deps(aws)

    def broken(queue_url: str, body: str) -> None:
        raise RuntimeError("SQS unavailable")

    monkeypatch.setattr(d.sqs, "send", broken)
    first = handler.handle(sqs_event([candidate(1, T0).model_dump_json()]), lambda_context(), d, aws.idempotency("struggle-detector"))
    assert first == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    monkeypatch.undo()
    assert run(aws, candidate(1, T0)) == {"batchItemFailures": []}
    assert [m["requestId"] for m in aws.messages("interventions")] == [f"intervene:{USER}:export:{T0}"]


@pytest.mark.spec("struggle-exit-risk-step")
def test_exit_risk_above_threshold_steps_the_level_up(aws: Aws) -> None:
    seed_events(aws, 10)  # help 0.3 + time since success 0.2 - engagement 0.15 = 0.35: p = 0.675
    summary = service.detect(deps(aws), candidate(1, T0), Counts())
    assert summary["riskScore"] == 50 and summary["riskLevel"] == "high"
    assert summary["interventionRequestId"] == f"intervene:{USER}:export:{T0}"


@pytest.mark.spec("scoring-fallback-counted")
def test_endpoint_failure_falls_back_and_is_counted(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    seed_events(aws, 10)
    aws.exit_endpoint.fail = True
    run(aws, candidate(1, T0))
    assert emf_metrics(capsys.readouterr().out).get("FallbackScoring") == 1
    assert [s["riskLevel"] for s in signals(aws) if s["itemType"] == "signal"] == ["high"]  # the same model ran in-process
    assert aws.exit_endpoint.calls == 1


def test_endpoint_and_fallback_give_the_same_analysis(aws: Aws) -> None:
    seed_events(aws, 4, action="rage_click")
    d = deps(aws)
    via_endpoint = service.analyze(d, USER, "export", 3, T0, None, Counts())
    aws.exit_endpoint.fail = True
    counts = Counts()
    via_fallback = service.analyze(d, USER, "export", 3, T0, None, counts)
    assert via_endpoint.exit_risk["source"] == "endpoint" and via_fallback.exit_risk["source"] == "fallback"
    assert via_endpoint.exit_risk["probability"] == via_fallback.exit_risk["probability"]
    assert counts["FallbackScoring"] == 1


@pytest.mark.spec("timestream-disabled-counted")
def test_timestream_off_is_counted(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    run(aws, candidate(1, T0), timestream=False)
    assert emf_metrics(capsys.readouterr().out)["TimestreamDisabled"] == 1


def test_a_bad_message_fails_alone(aws: Aws) -> None:
    event = sqs_event([json.dumps({"requestId": "struggle:x"}), candidate(1, T0).model_dump_json()])
    result = handler.handle(event, lambda_context(), deps(aws), aws.idempotency("struggle-detector"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert len(signals(aws)) == 1


@pytest.mark.spec(
    "struggle-bedrock-read-only",
    "bedrock-request-envelope",
    "bedrock-response-version",
    "bedrock-response-shape",
    "agent-struggle-detection-op",
)
def test_bedrock_analysis_is_read_only(aws: Aws) -> None:
    seed_signal(aws, T0 - 3_600_000, severity="critical")
    event = bedrock_event(
        "struggle-detection",
        "/analyze-struggle",
        {"userId": ("string", USER), "featureId": ("string", "export"), "attemptCount": ("integer", "4")},
    )
    answer = handler.handle(event, lambda_context(), deps(aws), aws.idempotency("struggle-detector"))
    assert answer["messageVersion"] == "1.0"
    assert (answer["response"]["actionGroup"], answer["response"]["apiPath"], answer["response"]["httpMethod"]) == (
        "struggle-detection",
        "/analyze-struggle",
        "POST",
    )
    status, body = bedrock_body(answer)
    assert status == 200
    # 40 + 5 + 15 = 60
    assert (body["severity"], body["riskScore"], body["riskLevel"], body["priorSignals"]) == ("high", 60, "high", 1)
    assert body["recommendations"]["successProbability"] == 60  # high: 75 - 3 x 5
    assert 0 <= body["exitRisk"]["probability"] <= 1
    assert problems("struggle-detection", "/analyze-struggle", 200, body) == []
    assert len(signals(aws)) == 1 and aws.messages("interventions") == []


@pytest.mark.spec("agent-struggle-detection-op")
@pytest.mark.parametrize(
    ("properties", "status", "message"),
    [
        ({"userId": ("string", USER), "attemptCount": ("integer", "0")}, 400, "attemptCount"),
        ({"userId": ("string", USER), "attemptCount": ("integer", "1001")}, 400, "attemptCount"),
        ({"userId": ("string", USER), "attemptCount": ("integer", "many")}, 400, "not a valid integer"),
        ({"featureId": ("string", "export")}, 400, "userId"),
        ({"userId": ("string", "bad user!")}, 400, "userId"),
    ],
)
def test_bedrock_bad_input_is_a_4xx_with_a_message(aws: Aws, properties: dict, status: int, message: str) -> None:
    answer = handler.handle(
        bedrock_event("struggle-detection", "/analyze-struggle", properties),
        lambda_context(),
        deps(aws),
        aws.idempotency("struggle-detector"),
    )
    got, body = bedrock_body(answer)
    assert got == status and message in body["error"]
    assert problems("struggle-detection", "/analyze-struggle", 400, body) == []


def test_bedrock_unknown_operation_is_a_404(aws: Aws) -> None:
    answer = handler.handle(
        bedrock_event("struggle-detection", "/delete-everything", {}), lambda_context(), deps(aws), aws.idempotency("struggle-detector")
    )
    assert bedrock_body(answer)[0] == 404


def test_bedrock_answers_a_failure_in_its_format_without_a_trace(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    d = deps(aws)

    def down(**kwargs: object) -> list:
        raise RuntimeError("DynamoDB unavailable at 10.0.0.1")

    monkeypatch.setattr(d.dynamodb, "query", down)
    answer = handler.handle(
        bedrock_event("struggle-detection", "/analyze-struggle", {"userId": ("string", USER)}),
        lambda_context(),
        d,
        aws.idempotency("struggle-detector"),
    )
    assert answer["messageVersion"] == "1.0"
    assert bedrock_body(answer) == (500, {"error": "internal error"})
