"""The event processor's rules: no I/O, no clock, no AWS.

Everything here is a function of the batch's records (and the profiles as read), so a redelivered
record produces the same items, Timestream records, messages and profile updates.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args

from pydantic import BaseModel

from common.dynamo import AttributeValue, Item, from_item, shard_suffix, to_attr
from common.events import (
    ERROR_EVENT_TYPES,
    VIDEO_EVENT_TYPES,
    EventType,
    InvalidEvent,
    Platform,
    UserEvent,
    UserSegment,
    decode_data,
    parse_event,
)
from common.messages import UNKNOWN_FEATURE, struggle_request_id, video_candidate_request_id

EVENT_TTL_SECONDS = 30 * 24 * 3600
# The longest sequence number Kinesis allows; zero-padded to it, sequence numbers compare as strings.
SEQUENCE_DIGITS = 129
STRUGGLE_TYPES = frozenset({"struggle_signal", "form_error", "error_event"})
PROFILE_ATTRIBUTES = ("userId", "lastSequenceNumber", "lastActiveAt", "totalEvents", "totalSessions", "currentSession")
DEFAULT_SEGMENT = "default"
# Items are only read (by the serializer), so the attribute value of a literal the model allows is
# one shared dict rather than one per item: fewer objects to build and to free per record.
_LITERAL_ATTRS: dict[str, AttributeValue] = {v: {"S": v} for v in (*get_args(EventType), *get_args(Platform), *get_args(UserSegment))}
# One encoder for every body: json.dumps with options builds a new encoder per call.
_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True, allow_nan=False)


# The per-record classes are not frozen: a frozen dataclass sets each field through
# object.__setattr__, which made their construction 4x slower (measured), paid for every record.
@dataclass(slots=True)
class Record:
    """What the processor needs of one Kinesis record of the Lambda event."""

    sequence: str
    shard: str
    arrival_ms: int
    data: str
    position: str  # the sequence number padded: ordered as a string
    partition_key: str = ""


@dataclass(slots=True)
class Accepted:
    """A valid record: the writes and messages built from its event, and what profile planning reads.

    The validated model is not kept: built from it while it is fresh in the cache and then freed,
    the batch costs less than with ten thousand models alive until the end (measured: ~20 ms).
    """

    record: Record
    event_id: str
    user_id: str
    session_id: str
    event_type: str
    timestamp: int
    segment: str | None
    watch_ms: int
    item: Item
    metrics: dict  # the Timestream user-metrics record
    struggle: tuple[str, str] | None  # (requestId, SQS body)
    video: tuple[str, str] | None


@dataclass(slots=True)
class Rejected:
    record: Record
    reason: str


@dataclass(slots=True)
class Session:
    sessionId: str
    start: int
    last: int
    events: int = 0
    errors: int = 0
    videoMs: int = 0


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    """The absolute new values of one user's profile, conditional on the watermark as read."""

    user_id: str
    read_watermark: str | None
    watermark: str
    last_active_at: int
    total_events: int
    total_sessions: int
    current: Session
    segment: str | None
    closed: tuple[Session, ...]


@dataclass
class BatchPlan:
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # user-events, one per key (the last record wins)
    metrics: list[dict] = field(default_factory=list)  # Timestream user-metrics, one per stored event
    struggle: dict[str, str] = field(default_factory=dict)  # requestId -> SQS body
    video: dict[str, str] = field(default_factory=dict)
    by_user: dict[str, list[Accepted]] = field(default_factory=dict)  # in sequence order
    sources: dict[str, list[str]] = field(default_factory=dict)  # requestId -> sequence numbers that produced it


def pad_sequence(sequence: str) -> str:
    if not sequence.isdigit() or len(sequence) > SEQUENCE_DIGITS:
        raise ValueError(f"sequence number {sequence!r} is not a Kinesis sequence number")
    return sequence.zfill(SEQUENCE_DIGITS)


def record_of(raw: dict[str, Any]) -> Record:
    """The Record of one entry of a Lambda Kinesis event's ``Records``."""
    kinesis = raw["kinesis"]
    sequence = kinesis["sequenceNumber"]
    return Record(
        sequence,
        raw.get("eventID", "").partition(":")[0] or "unknown-shard",
        round(float(kinesis["approximateArrivalTimestamp"]) * 1000),
        kinesis["data"],
        pad_sequence(sequence),
        kinesis.get("partitionKey", ""),
    )


def _known(part: BaseModel) -> AttributeValue | None:
    """The declared fields the producer sent, as a map. pydantic's fields_set also names the extras,
    which live outside __dict__ and are stored under ``extra`` instead."""
    values = {}
    fields = part.__dict__
    for name in part.__pydantic_fields_set__:  # the few fields sent, not every declared one
        value = fields.get(name)
        kind = type(value)
        if kind is str:
            values[name] = _LITERAL_ATTRS.get(value) or {"S": value}
        elif kind is int:  # validated ranges: always a storable number
            values[name] = {"N": str(value)}
        elif value is not None:
            values[name] = to_attr(value)
    return {"M": values} if values else None


def watch_ms(event: UserEvent) -> int:
    """Milliseconds watched: a video event's duration, else 0."""
    data = event.eventData
    if data is None or data.duration is None or event.eventType not in VIDEO_EVENT_TYPES:
        return 0
    return round(data.duration)


def completion_rate(event: UserEvent) -> float:
    """video_complete: 1.0; video_engagement: its completionRate (0.0 when absent); else 0.0."""
    if event.eventType == "video_complete":
        return 1.0
    data = event.eventData
    if data is None or data.completionRate is None or event.eventType not in VIDEO_EVENT_TYPES:
        return 0.0
    return data.completionRate


def event_item(event: UserEvent, event_id: str) -> Item:
    """The user-events item: a function of the event alone (no delivery metadata), so the same event
    is the same item whichever record carried it. ValueError when a value cannot be stored."""
    extra = event.extra()
    user_id, event_type, timestamp = event.userId, event.eventType, event.timestamp
    item: Item = {
        "userId": {"S": user_id},
        "eventKey": {"S": f"{timestamp:013d}#{event_id}"},
        "eventId": {"S": event_id},
        "sessionId": {"S": event.sessionId},
        "eventType": _LITERAL_ATTRS[event_type],
        "timestamp": {"N": str(timestamp)},
        "eventTypeShard": {"S": f"{event_type}#{shard_suffix(user_id)}"},
        "ttl": {"N": str(timestamp // 1000 + EVENT_TTL_SECONDS)},
    }
    for name, part in (("eventData", event.eventData), ("deviceInfo", event.deviceInfo), ("userContext", event.userContext)):
        if part is not None and (values := _known(part)) is not None:
            item[name] = values
    if extra:
        # Unknown fields as one JSON string: kept whole, whatever their depth or numbers.
        item["extra"] = {"S": _JSON.encode(extra)}
    return item


def classify(record: Record) -> Accepted | Rejected:
    """Decode and validate one record: accepted with its item, or permanently rejected with a reason."""
    try:
        event = parse_event(decode_data(record.data), record.arrival_ms)
        event_id = event.event_id
        item = event_item(event, event_id)
    except InvalidEvent as exc:
        return Rejected(record, exc.reason)
    except ValueError as exc:
        return Rejected(record, f"cannot store: {exc}")
    watched, rate = watch_ms(event), completion_rate(event)
    context = event.userContext
    return Accepted(
        record,
        event_id,
        event.userId,
        event.sessionId,
        event.eventType,
        event.timestamp,
        context.userSegment if context is not None else None,
        watched,
        item,
        metrics_record(event, event_id, watched, rate),
        struggle_message(event, event_id),
        video_message(event, event_id, watched, rate),
    )


# Shared by every user-metrics record (Timestream's CommonAttributes).
METRICS_COMMON = {"MeasureName": "user_event", "MeasureValueType": "MULTI", "TimeUnit": "MILLISECONDS", "Version": 1}
# Records are only read (by the serializer), so a part that many records have in common is one
# shared dict: fewer objects to build and to free per record (measured: ~8 ms per 10,000 records).
_ONE_EVENT = {"Name": "event_count", "Value": "1", "Type": "BIGINT"}
# Keyed by values from bounded sets only (literals, validated attempt counts), so it cannot grow unbounded.
_SHARED: dict[tuple[str, str], dict[str, str]] = {}


def _shared(name: str, value: str, kind: str = "") -> dict[str, str]:
    """The one dimension (no ``kind``) or measure dict of this name and value."""
    part = _SHARED.get((name, value))
    if part is None:
        part = _SHARED[name, value] = {"Name": name, "Value": value, "Type": kind} if kind else {"Name": name, "Value": value}
    return part


def _measure(name: str, value: str, kind: str) -> dict[str, str]:
    """A measure dict; zeros are shared (most events are no video, most sessions have no errors),
    other values are unbounded and get their own."""
    if value == "0" or value == "0.0":
        return _shared(name, value, kind)
    return {"Name": name, "Value": value, "Type": kind}


def metrics_record(event: UserEvent, event_id: str, watched: int, rate: float) -> dict:
    """The Timestream user-metrics multi-measure record of one event (with METRICS_COMMON)."""
    data = event.eventData
    attempts = data.attemptCount if data is not None and data.attemptCount is not None else int(event.eventType == "feature_interaction")
    return {
        "Dimensions": [
            {"Name": "userId", "Value": event.userId},
            {"Name": "eventId", "Value": event_id},
            _shared("eventType", event.eventType),
            _shared("platform", event.platform),
        ],
        "MeasureValues": [
            _measure("video_watch_ms", str(watched), "BIGINT"),
            _measure("video_completion_rate", repr(rate), "DOUBLE"),
            _shared("feature_attempt_count", str(attempts), "BIGINT"),
            _ONE_EVENT,
        ],
        "Time": str(event.timestamp),
    }


def struggle_message(event: UserEvent, event_id: str) -> tuple[str, str] | None:
    """The requestId and StruggleCandidate body of an event, or None when the event is no struggle."""
    data = event.eventData
    attempts = (data.attemptCount if data is not None else None) or 1
    if event.eventType not in STRUGGLE_TYPES and not (event.eventType == "feature_interaction" and attempts >= 2):
        return None
    request_id = struggle_request_id(event_id)
    feature = (data.feature if data is not None else None) or UNKNOWN_FEATURE
    # Written out rather than json-encoded (a third of the planning time otherwise): every string here
    # is an identifier, a UUID or a literal that the model's patterns limit to characters JSON never
    # escapes, and the keys are in sorted order, so this is exactly the sorted compact encoding.
    return request_id, (
        f'{{"attemptCount":{attempts},"detectedAt":{event.timestamp},"eventType":"{event.eventType}",'
        f'"featureId":"{feature}","requestId":"{request_id}","schemaVersion":1,"sessionId":"{event.sessionId}",'
        f'"sourceEventIds":["{event_id}"],"userId":"{event.userId}"}}'
    )


def video_message(event: UserEvent, event_id: str, watched: int, rate: float) -> tuple[str, str] | None:
    """The requestId and VideoCandidate body of a video event, or None (written out as struggle_message's)."""
    if event.eventType not in VIDEO_EVENT_TYPES:
        return None
    request_id = video_candidate_request_id(event_id)
    # videoId is required for video events by the model; repr of an int or a finite float is its JSON.
    return request_id, (
        f'{{"at":{event.timestamp},"completionRate":{rate!r},"requestId":"{request_id}",'
        f'"schemaVersion":1,"sourceEventIds":["{event_id}"],"userId":"{event.userId}",'
        f'"videoId":"{event.eventData.videoId}","watchMs":{watched}}}'
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the whole life of a batch's plan.

    Planning allocates some fifty small, acyclic containers per record and keeps them until the
    writes are done; the collector would scan them again and again (measured: 2-3x the planning
    time of a 10,000-record batch) although reference counting alone frees them. Hold the pause
    until the plan is gone too: resumed while the plan lives, the collector's first young-generation
    pass walks every object of it (~150 ms for 10,000 records, measured).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan_batch(records: list[Record]) -> BatchPlan:
    """Classify every record and build the writes and messages of the accepted ones (callers hold
    ``collector_paused()`` over the plan's life).

    Within a batch, records with the same event key (or requestId) collapse to the one with the
    highest sequence number: whatever way Lambda splits the batch, the last write is that record's.
    """
    plan = BatchPlan()
    stored: dict[tuple[str, str], Accepted] = {}
    for record in sorted(records, key=lambda r: r.position):
        outcome = classify(record)
        if type(outcome) is Rejected:
            plan.rejected.append(outcome)
            continue
        plan.accepted.append(outcome)
        stored[(outcome.user_id, outcome.item["eventKey"]["S"])] = outcome
        plan.by_user.setdefault(outcome.user_id, []).append(outcome)
        if outcome.struggle is not None:
            _add_message(plan, plan.struggle, outcome.struggle, record.sequence)
        if outcome.video is not None:
            _add_message(plan, plan.video, outcome.video, record.sequence)
    plan.items = [a.item for a in stored.values()]
    plan.metrics = [a.metrics for a in stored.values()]
    return plan


def _add_message(plan: BatchPlan, target: dict[str, str], message: tuple[str, str], sequence: str) -> None:
    request_id, body = message
    target[request_id] = body
    plan.sources.setdefault(request_id, []).append(sequence)


def read_profile(item: Item | None) -> dict[str, Any]:
    return from_item(item) if item else {}


def _session(stored: dict[str, Any] | None) -> Session | None:
    if not stored:
        return None
    return Session(
        sessionId=stored["sessionId"],
        start=int(stored["start"]),
        last=int(stored["last"]),
        events=int(stored.get("events", 0)),
        errors=int(stored.get("errors", 0)),
        videoMs=int(stored.get("videoMs", 0)),
    )


def plan_profile(user_id: str, profile: dict[str, Any], accepted: list[Accepted]) -> ProfileUpdate | None:
    """The profile after the user's records of this batch, or None when all were applied before.

    ``accepted`` is in sequence order. Only records above the stored watermark are applied, and an
    eventId seen earlier in the batch is not counted again.
    """
    read_watermark = profile.get("lastSequenceNumber")
    current = _session(profile.get("currentSession"))
    last_active = int(profile.get("lastActiveAt", 0))
    total_events = int(profile.get("totalEvents", 0))
    total_sessions = int(profile.get("totalSessions", 0))
    segment = None
    closed: list[Session] = []
    seen: set[str] = set()
    applied = False
    for acc in accepted:
        duplicate = acc.event_id in seen
        seen.add(acc.event_id)
        if duplicate or (read_watermark is not None and acc.record.position <= read_watermark):
            continue
        applied = True
        timestamp = acc.timestamp
        if current is None or current.sessionId != acc.session_id:
            if current is not None:
                closed.append(current)
            total_sessions += 1
            current = Session(acc.session_id, timestamp, timestamp)
        # Comparisons rather than min()/max(): this runs for every record of the batch.
        if timestamp < current.start:
            current.start = timestamp
        if timestamp > current.last:
            current.last = timestamp
        current.events += 1
        current.errors += acc.event_type in ERROR_EVENT_TYPES
        current.videoMs += acc.watch_ms
        total_events += 1
        if timestamp > last_active:
            last_active = timestamp
        if acc.segment is not None:
            segment = acc.segment
    if not applied or current is None:
        return None
    return ProfileUpdate(
        user_id=user_id,
        read_watermark=read_watermark,
        watermark=max(acc.record.position for acc in accepted),
        last_active_at=last_active,
        total_events=total_events,
        total_sessions=total_sessions,
        current=current,
        segment=segment,
        closed=tuple(closed),
    )


def profile_update_request(table: str, update: ProfileUpdate) -> dict[str, Any]:
    """UpdateItem arguments: absolute values, conditional on the watermark read (compared as strings)."""
    names = {
        "#la": "lastActiveAt",
        "#te": "totalEvents",
        "#ts": "totalSessions",
        "#cs": "currentSession",
        "#seq": "lastSequenceNumber",
        "#seg": "userSegment",
    }
    values = {
        ":la": to_attr(update.last_active_at),
        ":te": to_attr(update.total_events),
        ":ts": to_attr(update.total_sessions),
        ":cs": to_attr(_session_values(update.current)),
        ":seq": to_attr(update.watermark),
        ":seg": to_attr(update.segment or DEFAULT_SEGMENT),
    }
    # Every profile is in UserSegmentIndex: a segment from the events, else the stored one, else "default".
    segment = "#seg = :seg" if update.segment else "#seg = if_not_exists(#seg, :seg)"
    if update.read_watermark is None:
        condition = "attribute_not_exists(#seq)"
    else:
        condition = "#seq = :read AND #seq < :seq"
        values[":read"] = to_attr(update.read_watermark)
    return {
        "TableName": table,
        "Key": {"userId": {"S": update.user_id}},
        "UpdateExpression": f"SET #la = :la, #te = :te, #ts = :ts, #cs = :cs, #seq = :seq, {segment}",
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _session_values(session: Session) -> dict[str, Any]:
    return {
        "sessionId": session.sessionId,
        "start": session.start,
        "last": session.last,
        "events": session.events,
        "errors": session.errors,
        "videoMs": session.videoMs,
    }


SESSION_COMMON = {"MeasureName": "session_summary", "MeasureValueType": "MULTI", "TimeUnit": "MILLISECONDS", "Version": 1}


def session_records(update: ProfileUpdate) -> list[dict]:
    """The Timestream session-analytics records of the sessions an update closes (with SESSION_COMMON:
    time = the session's start, version 1); they share their user's dimension."""
    user = {"Name": "userId", "Value": update.user_id}
    return [
        {
            "Dimensions": [user, {"Name": "sessionId", "Value": session.sessionId}],
            "MeasureValues": [
                _measure("event_count", str(session.events), "BIGINT"),
                _measure("error_count", str(session.errors), "BIGINT"),
                _measure("video_watch_ms", str(session.videoMs), "BIGINT"),
                _measure("duration_ms", str(session.last - session.start), "BIGINT"),
            ],
            "Time": str(session.start),
        }
        for session in update.closed
    ]


def quarantine_key(record: Record) -> str:
    """quarantine/<arrival date>/<shard>/<sequence>.json: the same key on every delivery."""
    day = datetime.fromtimestamp(record.arrival_ms / 1000, tz=UTC).strftime("%Y-%m-%d")
    return f"quarantine/{day}/{record.shard}/{record.sequence}.json"


def quarantine_body(rejected: Rejected) -> bytes:
    """The raw record (its base64 data as received) and the reason, as JSON."""
    record = rejected.record
    body = {
        "reason": rejected.reason,
        "shardId": record.shard,
        "sequenceNumber": record.sequence,
        "partitionKey": record.partition_key,
        "approximateArrivalTimestampMs": record.arrival_ms,
        "data": record.data,
    }
    return _JSON.encode(body).encode()
