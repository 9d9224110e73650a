"""Hypothesis properties: nothing lost, nothing duplicated under redelivery (whole and bisected)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import metrics as m
from common.events import EventType
from common.metrics import Counts
from event_processor.handler import handle
from tests.support.event_processor import ARRIVAL_MS, FIRST_SEQUENCE, World, failures, kinesis_event
from tests.support.moto_world import moto_world
from tests.support.properties import examples

# Each example runs whole batches against moto (several deliveries for the redelivery properties),
# so these take a share of the profile's examples (ci: 20 and 12; thorough: 200 and 120).
PROPERTY = settings(max_examples=examples(0.2), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
REDELIVERY = settings(PROPERTY, max_examples=examples(0.12))
DAY_MS = 24 * 3600 * 1000
EVENT_TYPES = get_args(EventType)

# Poison: each is permanently invalid whatever its neighbours.
POISON = st.sampled_from(
    [
        "not base64 at all!",
        base64.b64encode(b"\xff\xfe\xfd").decode(),
        base64.b64encode(b'{"eventId": ').decode(),
        base64.b64encode(b"[]").decode(),
        base64.b64encode(b"{" + b" " * (256 * 1024) + b"}").decode(),
    ]
) | st.builds(
    lambda broken: base64.b64encode(json.dumps(broken).encode()).decode(),
    st.fixed_dictionaries(
        {
            "eventId": st.just(str(uuid.UUID(int=1))),
            "userId": st.just("u0"),
            "sessionId": st.just("s0"),
            "eventType": st.just("page_view"),
            "timestamp": st.sampled_from([str(ARRIVAL_MS), ARRIVAL_MS - 8 * DAY_MS, ARRIVAL_MS + 6 * 60 * 1000, -1]),
        }
    ),
)


@st.composite
def valid_event(draw: st.DrawFn) -> dict:
    event_type = draw(st.sampled_from(EVENT_TYPES))
    data: dict = {}
    if event_type in ("video_engagement", "video_complete"):
        data = {"videoId": draw(st.sampled_from(["v1", "v2"])), "duration": draw(st.integers(0, 600_000))}
    elif event_type == "feature_interaction":
        data = {"feature": "search", "attemptCount": draw(st.integers(1, 6))}
    event = {
        "eventId": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)))),
        "userId": draw(st.sampled_from(["u0", "u1", "u2"])),
        "sessionId": draw(st.sampled_from(["s0", "s1", "s2"])),
        "eventType": event_type,
        "timestamp": ARRIVAL_MS - draw(st.integers(0, 7 * DAY_MS)),
    }
    if data:
        event["eventData"] = data
    if draw(st.booleans()):
        event["unknownField"] = {"nested": [1, 2.5, None]}
    return event


@st.composite
def batches(draw: st.DrawFn) -> list:
    """Payloads of one batch: valid events (some delivered twice, as producers do), poison mixed in.

    Distinct events have distinct eventIds (the producer contract: the eventId is the event's UUID);
    a producer duplicate is the same event again. Without ``unique_by`` Hypothesis often draws the
    same small UUID for two different events, which no delivery order can make deterministic (see
    ``test_a_reused_event_id_is_last_write_wins_per_delivery``)."""
    events = draw(st.lists(valid_event(), min_size=1, max_size=8, unique_by=lambda e: e["eventId"]))
    picks = draw(st.lists(st.integers(0, len(events) - 1) | POISON, min_size=1, max_size=24))
    return [events[p] if isinstance(p, int) else p for p in picks]


def deliver(world: World, payloads: list, start: int = 0, stop: int | None = None) -> tuple[set[str], Counts]:
    """Deliver records [start, stop) of the batch with their original sequence numbers."""
    event = kinesis_event(payloads)
    event["Records"] = event["Records"][start:stop]
    counts = Counts()
    return failures(handle(event, None, world.deps, counts)), counts


def is_poison(payload: object) -> bool:
    return isinstance(payload, str)


def event_ids(payloads: list) -> set[str]:
    return {p["eventId"] for p in payloads if not is_poison(p)}


@pytest.mark.spec("outcome-metrics")
@PROPERTY
@given(payloads=batches())
def test_every_record_ends_in_exactly_one_outcome(payloads: list) -> None:
    with moto_world() as aws:
        world = World.create(aws)
        failed, counts = deliver(world, payloads)
        sequences = [str(FIRST_SEQUENCE + i) for i in range(len(payloads))]
        quarantined = {key.rsplit("/", 1)[1].removesuffix(".json") for key in world.quarantine()}
        poison = {s for s, p in zip(sequences, payloads, strict=True) if is_poison(p)}
        assert failed == set()  # no transient error here: nothing is retried
        assert quarantined == poison
        assert counts[m.RECORDS_PROCESSED] + counts[m.RECORDS_QUARANTINED] == len(payloads)
        assert counts[m.RECORDS_QUARANTINED] == len(poison)
        valid = [p for p in payloads if not is_poison(p)]
        assert {(p["userId"], f"{p['timestamp']:013d}#{p['eventId']}") for p in valid} == set(world.events())
        assert sum(int(p["totalEvents"]["N"]) for p in world.profiles().values()) == len({p["eventId"] for p in valid})


@REDELIVERY
@given(payloads=batches(), failing=st.sampled_from(["batch_write_item", "batch_get_item", "update_item", "put_object"]))
def test_transient_failures_are_reported_never_lost(payloads: list, failing: str) -> None:
    with moto_world() as aws:
        world = World.create(aws)
        spy = world.s3 if failing == "put_object" else world.dynamodb
        spy.fail[failing] = 1
        failed, counts = deliver(world, payloads)
        sequences = [str(FIRST_SEQUENCE + i) for i in range(len(payloads))]
        quarantined = {key.rsplit("/", 1)[1].removesuffix(".json") for key in world.quarantine()}
        assert failed <= set(sequences) and not (failed & quarantined)
        assert counts[m.RECORDS_PROCESSED] + counts[m.RECORDS_QUARANTINED] + counts[m.RECORDS_RETRIED] == len(payloads)
        # Lambda delivers again from the first reported record on, until nothing fails.
        while failed:
            failed, _ = deliver(world, payloads, start=min(sequences.index(s) for s in failed))
        retried = world.snapshot()
    assert retried == state_after([(0, None)], payloads)


def state_after(deliveries: list[tuple[int, int | None]], payloads: list) -> dict:
    with moto_world() as aws:
        world = World.create(aws)
        for start, stop in deliveries:
            assert deliver(world, payloads, start, stop)[0] == set()
        return world.snapshot()


@REDELIVERY
@given(payloads=batches(), cut=st.floats(0, 1))
def test_redelivery_and_bisection_change_nothing(payloads: list, cut: float) -> None:
    half = round(cut * len(payloads))
    with moto_world() as aws:
        world = World.create(aws)
        assert deliver(world, payloads)[0] == set()
        once = world.snapshot()
        # The whole batch again, then the halves bisection makes, then overlapping tails.
        for start, stop in [(0, None), (0, half), (half, None), (half // 2, None)]:
            assert deliver(world, payloads, start, stop)[0] == set()
        assert world.snapshot() == once


def split_timestream(snapshot: dict) -> tuple[dict, dict]:
    records = snapshot["timestream"]
    metrics = {k: v for k, v in records.items() if k[0] == "user-metrics"}
    return metrics, {k: v for k, v in records.items() if k[0] != "user-metrics"}


@REDELIVERY
@given(payloads=batches(), cut=st.floats(0, 1))
def test_bisection_first_matches_one_delivery_except_producer_duplicates(payloads: list, cut: float) -> None:
    half = round(cut * len(payloads))
    once = state_after([(0, None)], payloads)
    split = state_after([(0, half), (half, None)], payloads)
    for part in ("events", "messages", "quarantine"):
        assert split[part] == once[part], part
    (split_metrics, split_sessions), (once_metrics, once_sessions) = split_timestream(split), split_timestream(once)
    assert split_metrics == once_metrics
    # An eventId in both halves is a producer duplicate across batches: counted again (documented).
    if not event_ids(payloads[:half]) & event_ids(payloads[half:]):
        assert split["profiles"] == once["profiles"]
        assert split_sessions == once_sessions


def test_a_reused_event_id_is_last_write_wins_per_delivery() -> None:
    """Two different events under one eventId break the producer contract: each delivery stores and
    announces the last of its records (one item per key, one body per requestId), so a redelivered
    first half brings the first version back. Documented, not hidden: redelivery is exact only for
    events whose eventId identifies them."""
    first = {"eventId": str(uuid.UUID(int=0)), "userId": "u0", "sessionId": "s0", "eventType": "form_error", "timestamp": ARRIVAL_MS}
    second = first | {"eventType": "error_event"}
    once = state_after([(0, None)], [first, second])
    (item,) = once["events"].values()
    assert item["eventType"] == {"S": "error_event"}
    assert [json.loads(b)["eventType"] for bodies in once["messages"].values() for b in bodies] == ["error_event"]
    again = state_after([(0, None), (0, 1)], [first, second])
    (item,) = again["events"].values()
    assert item["eventType"] == {"S": "form_error"}
