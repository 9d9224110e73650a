"""The video analyzer against moto: exact accumulators under concurrency, idempotency, Bedrock."""

from __future__ import annotations

import pytest

from common.adapters import DynamoDB
from common.dynamo import from_item
from common.messages import VideoCandidate
from common.metrics import Counts
from tests.support.agent_contract import problems
from tests.support.lambdas import bedrock_body, bedrock_event, emf_metrics, lambda_context, sqs_event
from tests.support.sqs_functions import T0, Aws, Interleaved
from video_analyzer import handler, service

USER = "u-1"


def deps(aws: Aws, timestream: bool = True, dynamodb: DynamoDB | None = None) -> service.Dependencies:
    return aws.scoring_deps("video-analyzer", timestream, dynamodb=dynamodb)


def view(n: int, watch_ms: int = 10_000, rate: float = 0.1, video: str = "v1") -> VideoCandidate:
    return VideoCandidate(
        requestId=f"video:e{n}", sourceEventIds=[f"e{n}"], userId=USER, videoId=video, watchMs=watch_ms, completionRate=rate, at=T0 + n
    )


def run(aws: Aws, *views: VideoCandidate, timestream: bool = True) -> dict:
    return handler.handle(
        sqs_event([v.model_dump_json() for v in views]), lambda_context(), deps(aws, timestream), aws.idempotency("video-analyzer")
    )


def stored(aws: Aws, video: str = "v1") -> dict:
    item = aws.dynamodb.get_item(TableName="uja-video-engagement-test", Key={"userId": {"S": USER}, "videoId": {"S": video}})["Item"]
    return from_item(item)


def profile(aws: Aws) -> dict:
    return from_item(aws.dynamodb.get_item(TableName="uja-user-profiles-test", Key={"userId": {"S": USER}})["Item"])


@pytest.mark.spec("video-accumulators")
def test_views_accumulate(aws: Aws) -> None:
    assert run(aws, view(1, 120_000, 0.5), view(2, 180_000, 0.3)) == {"batchItemFailures": []}
    item = stored(aws)
    assert (item["viewCount"], item["totalWatchMs"], item["maxCompletionRate"], item["lastWatchedAt"]) == (2, 300_000, 0.5, T0 + 2)
    assert (item["interestScore"], item["engagementLevel"], item["patterns"], item["version"]) == (
        65.0,
        "high",
        ["repeat_viewer", "partial_viewer"],
        2,
    )
    assert profile(aws)["engagementScore"] == 65.0


@pytest.mark.spec("video-engagement-score-mean")
def test_engagement_score_is_the_mean_over_videos(aws: Aws) -> None:
    run(aws, view(1, 300_000, 1.0, video="a"), view(2, 0, 0.0, video="b"), view(3, 150_000, 0.5, video="c"))
    assert profile(aws)["engagementScore"] == 50.0


def test_two_interleaved_writers_keep_accumulators_exact(aws: Aws) -> None:
    run(aws, view(0, 1_000, 0.2))
    writer_b = deps(aws)
    a = Interleaved(aws.dynamodb, lambda: service.record_view(writer_b, view(2, 20_000, 0.9), Counts()))
    counts = Counts()
    service.record_view(deps(aws, dynamodb=a), view(1, 300, 0.4), counts)
    item = stored(aws)
    assert (item["viewCount"], item["totalWatchMs"], item["maxCompletionRate"], item["version"]) == (3, 21_300, 0.9, 3)
    assert counts["ConditionalConflicts"] == 1 and a.reads == 2
    assert [r["requestId"] for r in item["appliedRequests"]] == ["video:e0", "video:e2", "video:e1"]


def test_two_first_views_racing_on_a_new_item(aws: Aws) -> None:
    writer_b = deps(aws)
    a = Interleaved(aws.dynamodb, lambda: service.record_view(writer_b, view(2, 20_000), Counts()))
    service.record_view(deps(aws, dynamodb=a), view(1, 300), Counts())
    assert (stored(aws)["viewCount"], stored(aws)["totalWatchMs"]) == (2, 20_300)


def test_a_redelivered_message_counts_once(aws: Aws) -> None:
    run(aws, view(1))
    run(aws, view(1))
    assert stored(aws)["viewCount"] == 1


def test_a_retry_after_a_later_failure_counts_once(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    d = deps(aws)

    def down(*args: object) -> None:
        raise RuntimeError("Timestream unavailable")

    monkeypatch.setattr(d.timestream, "write_records", down)
    failed = handler.handle(sqs_event([view(1).model_dump_json()]), lambda_context(), d, aws.idempotency("video-analyzer"))
    assert failed == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert stored(aws)["viewCount"] == 1  # the write landed before the failure
    monkeypatch.undo()
    assert run(aws, view(1)) == {"batchItemFailures": []}
    assert stored(aws)["viewCount"] == 1


@pytest.mark.spec("video-recommend-third-low")
@pytest.mark.spec("intervention-request-id-video")
def test_third_low_view_sends_one_content_recommendation(aws: Aws) -> None:
    for n in range(1, 5):
        run(aws, view(n))
    (request,) = aws.messages("interventions")
    assert request["requestId"] == f"video:{USER}:v1"
    assert (request["interventionType"], request["priority"], request["videoId"], request["riskScore"]) == (
        "content_recommendation",
        "normal",
        "v1",
        90.0,
    )
    assert stored(aws)["engagementLevel"] == "low"


@pytest.mark.spec("video-recommend-third-low")
def test_third_view_above_low_sends_nothing(aws: Aws) -> None:
    for n in range(1, 4):
        run(aws, view(n, rate=0.6))
    assert aws.messages("interventions") == []


@pytest.mark.spec("timestream-disabled-counted")
def test_timestream_off_is_counted(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    run(aws, view(1), timestream=False)
    assert emf_metrics(capsys.readouterr().out)["TimestreamDisabled"] == 1


def analyze(aws: Aws, properties: dict) -> tuple[int, dict]:
    answer = handler.handle(
        bedrock_event("video-intelligence", "/analyze-video", properties), lambda_context(), deps(aws), aws.idempotency("video-analyzer")
    )
    assert answer["messageVersion"] == "1.0" and answer["response"]["apiPath"] == "/analyze-video"
    return bedrock_body(answer)


@pytest.mark.spec("video-bedrock-top-5")
@pytest.mark.spec("agent-video-intelligence-op")
def test_bedrock_summary_is_read_only(aws: Aws) -> None:
    views = [view(n, 30_000 * n, n / 10, video=f"v{n}") for n in range(1, 8)]
    run(aws, *views)
    before = [stored(aws, f"v{n}") for n in range(1, 8)]
    status, body = analyze(aws, {"userId": ("string", USER)})
    assert status == 200
    assert (body["videos"], body["totalViews"], body["totalWatchMs"]) == (7, 7, 30_000 * 28)
    assert [v["videoId"] for v in body["topVideos"]] == ["v7", "v6", "v5", "v4", "v3"]
    assert body["averageInterestScore"] == round(sum(v["interestScore"] for v in before) / 7, 2)
    assert body["engagement"]["source"] == "endpoint" and body["engagement"]["recommendations"]
    assert problems("video-intelligence", "/analyze-video", 200, body) == []
    assert [stored(aws, f"v{n}") for n in range(1, 8)] == before and aws.messages("interventions") == []


@pytest.mark.spec("scoring-fallback-counted")
@pytest.mark.spec("agent-video-intelligence-op")
def test_bedrock_summary_of_one_video_and_fallback(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    run(aws, view(1, 60_000, 0.95), view(2, 60_000, 0.2, video="v2"))
    _, via_endpoint = analyze(aws, {"userId": ("string", USER), "videoId": ("string", "v1")})
    aws.video_endpoint.fail = True
    capsys.readouterr()
    _, via_fallback = analyze(aws, {"userId": ("string", USER), "videoId": ("string", "v1")})
    assert emf_metrics(capsys.readouterr().out).get("FallbackScoring") == 1
    assert via_endpoint["videos"] == 1 and via_endpoint["topVideos"][0]["videoId"] == "v1"
    assert via_fallback["engagement"].pop("source") == "fallback"
    assert via_endpoint["engagement"].pop("source") == "endpoint"
    assert via_fallback == via_endpoint


@pytest.mark.spec("agent-video-intelligence-op")
@pytest.mark.parametrize(
    "properties", [{}, {"userId": ("string", "no spaces allowed")}, {"userId": ("string", USER), "videoId": ("string", "x" * 101)}]
)
def test_bedrock_bad_input_is_a_400(aws: Aws, properties: dict) -> None:
    status, body = analyze(aws, properties)
    assert status == 400 and body["error"]
    assert problems("video-intelligence", "/analyze-video", 400, body) == []


@pytest.mark.spec("video-timestream-record")
def test_each_view_writes_its_interest_score_to_timestream(aws: Aws) -> None:
    from moto.timestreamwrite.models import timestreamwrite_backends

    run(aws, view(1, 120_000, 0.5))
    (record,) = timestreamwrite_backends["123456789012"]["us-east-1"].databases["uja-test"].tables["video-engagement"].records
    assert {d["Name"]: d["Value"] for d in record["Dimensions"]} == {"userId": USER, "videoId": "v1", "eventId": "e1"}
    assert (record["MeasureName"], float(record["MeasureValue"]), record["Version"]) == ("interest_score", 47.0, 1)
