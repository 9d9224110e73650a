"""The event processor's rules (no I/O): items, Timestream records, messages, profile updates, quarantine keys."""

from __future__ import annotations

import json
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.dynamo import from_item
from common.messages import StruggleCandidate, VideoCandidate
from event_processor.rules import (
    Accepted,
    Record,
    Rejected,
    classify,
    pad_sequence,
    plan_batch,
    plan_profile,
    profile_update_request,
    quarantine_body,
    quarantine_key,
    record_of,
    session_records,
)
from tests.support.event_processor import ARRIVAL_MS, FIRST_SEQUENCE, SHARD, encode, kinesis_record, user_event


def record(payload: dict | bytes | str, sequence: int = FIRST_SEQUENCE, arrival_ms: int = ARRIVAL_MS) -> Record:
    return record_of(kinesis_record(payload, sequence, arrival_ms))


def accepted(payload: dict, sequence: int = FIRST_SEQUENCE) -> Accepted:
    outcome = classify(record(payload, sequence))
    assert isinstance(outcome, Accepted), outcome
    return outcome


@pytest.mark.spec("processor-sequence-padding")
def test_record_of_reads_the_lambda_shape() -> None:
    rec = record(user_event(), 12345, arrival_ms=ARRIVAL_MS + 7)
    assert (rec.sequence, rec.shard, rec.arrival_ms) == ("12345", SHARD, ARRIVAL_MS + 7)
    assert rec.position == "12345".zfill(129)


@pytest.mark.spec("processor-sequence-padding")
def test_padded_sequences_order_as_numbers() -> None:
    small, large = pad_sequence("9" * 56), pad_sequence("1" + "0" * 56)
    assert small < large and len(large) == 129
    with pytest.raises(ValueError, match="not a Kinesis sequence number"):
        pad_sequence("12a")


@pytest.mark.spec("dynamo-event-key", "dynamo-event-type-shard", "dynamo-event-ttl", "event-unknown-fields-extra")
def test_event_item_keys_shards_ttl_and_extra() -> None:
    payload = user_event(event_type="feature_interaction", feature="search", attemptCount=3, clicks=[1, {"deep": True}])
    payload |= {"experiment": "B", "deviceInfo": {"platform": "Android"}}
    item = from_item(accepted(payload).item)
    assert item["eventKey"] == f"{payload['timestamp']:013d}#{payload['eventId']}"
    assert item["eventTypeShard"] == f"feature_interaction#{zlib.crc32(payload['userId'].encode()) % 10}"
    assert item["ttl"] == payload["timestamp"] // 1000 + 30 * 24 * 3600
    assert item["eventData"] == {"feature": "search", "attemptCount": 3}
    assert json.loads(item["extra"]) == {"experiment": "B", "eventData": {"clicks": [1, {"deep": True}]}}
    assert item["deviceInfo"] == {"platform": "Android"}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [("@@not-base64@@", "bad base64"), (b"\xc3\x28", "bad UTF-8"), (b"{", "bad JSON"), ({"eventId": 1}, "invalid event")],
)
def test_classify_rejects_with_a_reason(payload: object, reason: str) -> None:
    outcome = classify(record(payload))
    assert isinstance(outcome, Rejected) and outcome.reason.startswith(reason)


@pytest.mark.spec(
    "struggle-candidate-triggers",
    "struggle-candidate-fields",
    "struggle-candidate-request-id",
    "video-candidate-fields",
    "video-candidate-complete-rate",
)
def test_messages_follow_the_rules() -> None:
    batch = [
        user_event(event_type="feature_interaction", feature="f", attemptCount=1),  # no message
        user_event(event_type="feature_interaction", feature="f", attemptCount=2),
        user_event(event_type="form_error"),
        user_event(event_type="struggle_signal", feature="pay"),
        user_event(event_type="error_event", attemptCount=4),
        user_event(event_type="video_engagement", duration=1500.4, completionRate=0.25),
        user_event(event_type="video_complete", duration=10),
        user_event(event_type="page_view"),
    ]
    plan = plan_batch([record(p, FIRST_SEQUENCE + i) for i, p in enumerate(batch)])
    struggles = [StruggleCandidate.model_validate_json(b) for b in plan.struggle.values()]
    videos = [VideoCandidate.model_validate_json(b) for b in plan.video.values()]
    assert [s.requestId for s in struggles] == [f"struggle:{batch[i]['eventId']}" for i in (1, 2, 3, 4)]
    assert [(s.featureId, s.attemptCount) for s in struggles] == [("f", 2), ("unknown", 1), ("pay", 1), ("unknown", 4)]
    assert struggles[0].detectedAt == batch[1]["timestamp"] and struggles[0].sourceEventIds == [batch[1]["eventId"]]
    assert [(v.watchMs, v.completionRate, v.requestId) for v in videos] == [
        (1500, 0.25, f"video:{batch[5]['eventId']}"),
        (10, 1.0, f"video:{batch[6]['eventId']}"),
    ]


IDENTIFIER = st.text("abcXYZ019_-", min_size=1, max_size=20)
NAME = st.text("abcXYZ019_.-", min_size=1, max_size=20)


@st.composite
def message_event(draw: st.DrawFn) -> dict:
    """Events that produce messages, with every field a body writes out drawn from its allowed range."""
    event = user_event(
        user=draw(IDENTIFIER),
        session=draw(IDENTIFIER),
        event_type=draw(st.sampled_from(["feature_interaction", "form_error", "struggle_signal", "video_engagement", "video_complete"])),
        offset_ms=-draw(st.integers(0, 7 * 24 * 3600 * 1000)),
    )
    uuid = str(draw(st.uuids()))
    event["eventId"] = uuid.upper() if draw(st.booleans()) else uuid  # the canonical form is lower case
    data: dict = {"feature": draw(NAME)} if draw(st.booleans()) else {}
    if event["eventType"] == "feature_interaction" or draw(st.booleans()):
        data["attemptCount"] = draw(st.integers(2, 1000))
    if event["eventType"].startswith("video"):
        data |= {"videoId": draw(NAME), "duration": draw(st.integers(0, 10**12) | st.floats(0, 10**12))}
        if draw(st.booleans()):
            data["completionRate"] = draw(st.sampled_from([0, 1]) | st.floats(0, 1))
    if data:
        event["eventData"] = data
    return event


@given(message_event())
def test_written_out_bodies_are_the_sorted_compact_json_of_the_contract(payload: dict) -> None:
    plan = plan_batch([record(payload)])
    ((request_id, body),) = plan.struggle.items() or plan.video.items()
    decoded = json.loads(body)
    assert body == json.dumps(decoded, sort_keys=True, separators=(",", ":"), allow_nan=False)
    contract = StruggleCandidate if request_id.startswith("struggle:") else VideoCandidate
    message = contract.model_validate_json(body)
    assert message.requestId == request_id and message.userId == payload["userId"]
    assert message.sourceEventIds == [payload["eventId"].lower()]
    if contract is VideoCandidate:
        data = payload["eventData"]
        rate = 1.0 if payload["eventType"] == "video_complete" else data.get("completionRate", 0.0)
        assert (decoded["videoId"], decoded["watchMs"], decoded["completionRate"]) == (data["videoId"], round(data["duration"]), rate)
    else:
        assert (decoded["sessionId"], decoded["detectedAt"]) == (payload["sessionId"], payload["timestamp"])


@pytest.mark.spec("processor-user-metrics-measures")
def test_user_metrics_record() -> None:
    payload = user_event(event_type="video_engagement", duration=2000, completionRate=0.5) | {"deviceInfo": {"platform": "Web"}}
    (metrics,) = plan_batch([record(payload)]).metrics
    assert metrics["Time"] == str(payload["timestamp"])
    assert metrics["Dimensions"] == [
        {"Name": "userId", "Value": "u1"},
        {"Name": "eventId", "Value": payload["eventId"]},
        {"Name": "eventType", "Value": "video_engagement"},
        {"Name": "platform", "Value": "Web"},
    ]
    assert {m["Name"]: m["Value"] for m in metrics["MeasureValues"]} == {
        "video_watch_ms": "2000",
        "video_completion_rate": "0.5",
        "feature_attempt_count": "0",
        "event_count": "1",
    }


def test_duplicate_keys_collapse_to_the_last_record() -> None:
    first = user_event(page="/a")
    second = first | {"eventData": {"page": "/b"}}
    plan = plan_batch([record(second, FIRST_SEQUENCE + 1), record(first, FIRST_SEQUENCE)])
    assert len(plan.items) == 1 and from_item(plan.items[0])["eventData"] == {"page": "/b"}
    assert len(plan.metrics) == 1 and len(plan.accepted) == 2


@pytest.mark.spec("processor-profile-counters", "processor-duplicates-count-once", "processor-session-summary")
def test_profile_sessions_counters_and_duplicates() -> None:
    a1 = user_event(session="A", offset_ms=-5000, event_type="form_error")
    a2 = user_event(session="A", offset_ms=-4000, event_type="video_complete", duration=700)
    b1 = user_event(session="B", offset_ms=-3000)
    stored = {
        "lastSequenceNumber": pad_sequence(str(FIRST_SEQUENCE - 1)),
        "totalEvents": 10,
        "totalSessions": 2,
        "lastActiveAt": ARRIVAL_MS,
        "currentSession": {"sessionId": "Z", "start": 1, "last": 2, "events": 2, "errors": 0, "videoMs": 0},
    }
    batch = [accepted(p, FIRST_SEQUENCE + i) for i, p in enumerate([a1, a2, a2, b1])]  # a2 delivered twice
    update = plan_profile("u1", stored, batch)
    assert update is not None
    assert (update.total_events, update.total_sessions, update.last_active_at) == (13, 4, ARRIVAL_MS)
    assert [(s.sessionId, s.events, s.errors, s.videoMs) for s in update.closed] == [("Z", 2, 0, 0), ("A", 2, 1, 700)]
    assert (update.current.sessionId, update.current.start) == ("B", b1["timestamp"])
    assert update.watermark == pad_sequence(str(FIRST_SEQUENCE + 3))
    records = session_records(update)
    assert [[d["Value"] for d in r["Dimensions"]] for r in records] == [["u1", "Z"], ["u1", "A"]]
    assert [r["Time"] for r in records] == ["1", str(a1["timestamp"])]
    assert [{v["Name"]: v["Value"] for v in r["MeasureValues"]} for r in records] == [
        {"event_count": "2", "error_count": "0", "video_watch_ms": "0", "duration_ms": "1"},
        {"event_count": "2", "error_count": "1", "video_watch_ms": "700", "duration_ms": "1000"},
    ]


def test_records_at_or_below_the_watermark_are_not_applied_again() -> None:
    batch = [accepted(user_event(), FIRST_SEQUENCE + i) for i in range(3)]
    assert plan_profile("u1", {"lastSequenceNumber": batch[-1].record.position}, batch) is None
    partial = plan_profile("u1", {"lastSequenceNumber": batch[0].record.position, "totalEvents": 1}, batch)
    assert partial is not None and partial.total_events == 3


def test_update_request_is_conditional_on_the_watermark_read() -> None:
    batch = [accepted(user_event() | {"userContext": {"userSegment": "engaged_user"}})]
    fresh = profile_update_request("t", plan_profile("u1", {}, batch))
    assert fresh["ConditionExpression"] == "attribute_not_exists(#seq)"
    assert fresh["ExpressionAttributeValues"][":seg"] == {"S": "engaged_user"}
    read = pad_sequence("7")
    again = profile_update_request("t", plan_profile("u1", {"lastSequenceNumber": read}, batch))
    assert again["ConditionExpression"] == "#seq = :read AND #seq < :seq"
    assert again["ExpressionAttributeValues"][":read"] == {"S": read}
    assert len(again["ExpressionAttributeValues"][":seq"]["S"]) == 129


@pytest.mark.spec("outcome-quarantine-key")
def test_quarantine_key_and_body_depend_on_the_record_only() -> None:
    rejected = classify(record(b"not json", 42, arrival_ms=ARRIVAL_MS))
    assert isinstance(rejected, Rejected)
    assert quarantine_key(rejected.record) == f"quarantine/2020-09-13/{SHARD}/42.json"
    body = json.loads(quarantine_body(rejected))
    assert body["data"] == encode(b"not json") and body["reason"].startswith("bad JSON")
    assert quarantine_body(rejected) == quarantine_body(classify(record(b"not json", 42)))


@pytest.mark.spec("processor-platform-default")
def test_user_metrics_platform_defaults_to_unknown() -> None:
    (metrics,) = plan_batch([record(user_event(event_type="page_view"))]).metrics
    assert {"Name": "platform", "Value": "unknown"} in metrics["Dimensions"]
