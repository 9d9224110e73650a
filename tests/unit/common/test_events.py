"""The user event model: every rule of spec section 4, validity relative to arrival, extras kept."""

from __future__ import annotations

import base64
import json

import pytest

from common.events import InvalidEvent, UserEvent, decode_data, parse_event

ARRIVAL = 1_000_000_000_000  # 2001: far from today, so a wall-clock check would reject everything
EVENT_ID = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
# The spec's numbers, written out here rather than imported: a changed constant in the code must fail.
MAX_PAST_MS = 7 * 24 * 3600 * 1000
MAX_FUTURE_MS = 5 * 60 * 1000
MAX_EVENT_BYTES = 256 * 1024


def event(**changes: object) -> dict:
    base: dict = {
        "eventId": EVENT_ID,
        "userId": "user-1",
        "sessionId": "sess_1",
        "eventType": "feature_interaction",
        "timestamp": ARRIVAL - 1000,
        "eventData": {"feature": "search.box", "attemptCount": 2, "success": False},
        "deviceInfo": {"platform": "iOS", "appVersion": "1.0"},
        "userContext": {"userSegment": "at_risk", "previousActions": ["a"]},
    }
    for key, value in changes.items():
        if value is _DROP:
            base.pop(key)
        else:
            base[key] = value
    return base


_DROP = object()


def parse(payload: dict | bytes, arrival: int = ARRIVAL) -> UserEvent:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return parse_event(raw, arrival)


@pytest.mark.spec("event-platform-values")
def test_valid_event_parses_with_typed_fields() -> None:
    parsed = parse(event())
    assert parsed.event_id == EVENT_ID
    assert parsed.eventData is not None and parsed.eventData.attemptCount == 2
    assert parsed.platform == "iOS"
    assert parsed.extra() == {}


def test_event_id_is_canonical_lower_case() -> None:
    assert parse(event(eventId=EVENT_ID.upper())).event_id == EVENT_ID


@pytest.mark.spec("event-unknown-fields-extra")
def test_unknown_fields_are_kept_top_level_and_nested() -> None:
    payload = event(campaign={"id": 7}, eventData={"feature": "x", "color": "red"}, deviceInfo={"platform": "Web", "dpi": 2})
    assert parse(payload).extra() == {"campaign": {"id": 7}, "eventData": {"color": "red"}, "deviceInfo": {"dpi": 2}}


@pytest.mark.spec(
    "event-id-uuid",
    "event-identifier-pattern",
    "event-types",
    "event-feature-pattern",
    "event-attempt-count-range",
    "event-completion-rate-range",
    "event-duration-range",
    "event-platform-values",
    "event-user-segment-values",
)
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"eventId": "not-a-uuid"}, "eventId"),
        ({"eventId": _DROP}, "eventId"),
        ({"userId": "has space"}, "userId"),
        ({"userId": "u" * 201}, "userId"),
        ({"sessionId": ""}, "sessionId"),
        ({"eventType": "purchase"}, "eventType"),
        ({"timestamp": str(ARRIVAL)}, "timestamp"),
        ({"timestamp": float(ARRIVAL)}, "timestamp"),
        ({"timestamp": True}, "timestamp"),
        ({"eventData": {"feature": "bad/feature"}}, "eventData.feature"),
        ({"eventData": {"feature": "f" * 101}}, "eventData.feature"),
        ({"eventType": "video_complete", "eventData": {"videoId": "v" * 101}}, "eventData.videoId"),
        ({"eventData": {"attemptCount": 0}}, "eventData.attemptCount"),
        ({"eventData": {"attemptCount": 1001}}, "eventData.attemptCount"),
        ({"eventData": {"completionRate": 1.01}}, "eventData.completionRate"),
        ({"eventData": {"duration": -1}}, "eventData.duration"),
        ({"eventData": {"success": "yes"}}, "eventData.success"),
        ({"deviceInfo": {"platform": "Windows"}}, "deviceInfo.platform"),
        ({"userContext": {"userSegment": "vip"}}, "userContext.userSegment"),
    ],
)
def test_field_rules_reject_and_name_the_field(changes: dict, field: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        parse(event(**changes))
    assert field in info.value.reason


@pytest.mark.spec("event-platform-values", "event-user-segment-values")
def test_the_enumerated_fields_allow_exactly_the_spec_values() -> None:
    properties = {name: part["properties"] for name, part in UserEvent.model_json_schema()["$defs"].items()}
    assert properties["DeviceInfo"]["platform"]["anyOf"][0]["enum"] == ["iOS", "Android", "Web"]
    assert properties["UserContext"]["userSegment"]["anyOf"][0]["enum"] == [
        "new_user",
        "active_user",
        "engaged_user",
        "at_risk",
        "churned",
        "default",
    ]


@pytest.mark.spec("event-feature-pattern")
@pytest.mark.parametrize("event_type", ["video_engagement", "video_complete"])
def test_video_events_need_a_video_id(event_type: str) -> None:
    with pytest.raises(InvalidEvent, match="videoId is required"):
        parse(event(eventType=event_type, eventData={"duration": 10}))
    assert parse(event(eventType=event_type, eventData={"videoId": "v-1"})).eventData.videoId == "v-1"


@pytest.mark.spec("event-timestamp-window")
@pytest.mark.parametrize(
    ("offset", "valid"),
    [(-MAX_PAST_MS, True), (-MAX_PAST_MS - 1, False), (MAX_FUTURE_MS, True), (MAX_FUTURE_MS + 1, False), (0, True)],
)
def test_timestamp_window_is_relative_to_arrival(offset: int, valid: bool) -> None:
    payload = event(timestamp=ARRIVAL + offset)
    if valid:
        assert parse(payload).timestamp == ARRIVAL + offset
    else:
        with pytest.raises(InvalidEvent, match="outside"):
            parse(payload)


def test_same_record_same_verdict_whatever_the_clock() -> None:
    # Validity moves with the arrival time only: eight days later the same bytes are too old.
    payload = event(timestamp=ARRIVAL)
    assert parse(payload, ARRIVAL).timestamp == ARRIVAL
    with pytest.raises(InvalidEvent, match="outside"):
        parse(payload, ARRIVAL + 8 * 24 * 3600 * 1000)


def test_nan_is_rejected() -> None:
    raw = json.dumps(event()).replace('"attemptCount": 2', '"completionRate": NaN').encode()
    with pytest.raises(InvalidEvent, match="completionRate"):
        parse(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe{}", "bad UTF-8"),
        (b'{"eventId": ', "bad JSON"),
        (b"[1, 2]", "invalid event"),
        (b'"text"', "invalid event"),
        (b"{}", "eventId"),
    ],
)
def test_undecodable_payloads(raw: bytes, reason: str) -> None:
    with pytest.raises(InvalidEvent, match=reason):
        parse(raw)


@pytest.mark.spec("event-max-size")
def test_oversized_payload_is_rejected_before_parsing() -> None:
    raw = json.dumps(event(padding="x" * MAX_EVENT_BYTES)).encode()
    with pytest.raises(InvalidEvent, match=f"oversized: {len(raw)} bytes"):
        parse(raw)


def test_validation_without_arrival_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="arrival"):
        UserEvent.model_validate_json(json.dumps(event()))


def test_decode_data() -> None:
    assert decode_data(base64.b64encode(b"hello").decode()) == b"hello"
    for bad in ("not base64!", "abc", "ääää"):
        with pytest.raises(InvalidEvent, match="bad base64"):
            decode_data(bad)
