"""The event generator: valid traffic matches the event contract, hostile traffic breaks it."""

from __future__ import annotations

import json
import re
import uuid
from typing import get_args

import pytest

from common.events import EventType
from journey_guard.ephemeral.account import Account
from journey_guard.ops.eventgen import MAX_RECORD_BYTES, Generator, main, put

NOW = 1_764_000_000_000
EVENT_TYPES = set(get_args(EventType))  # the event model is the one list of types
ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def _gen(seed: int = 7) -> Generator:
    return Generator(seed, now_ms=lambda: NOW)


def test_valid_traffic_keeps_the_event_contract() -> None:
    records = _gen().mixed(users=5, struggles=2, videos=2)
    assert records
    for record in records:
        event = record.event()
        assert event is not None
        uuid.UUID(event["eventId"])
        assert ID.match(event["userId"]) and ID.match(event["sessionId"])
        assert event["eventType"] in EVENT_TYPES
        assert NOW - 7 * 86_400_000 <= event["timestamp"] <= NOW + 300_000
        assert record.partition_key == event["userId"]
        assert len(record.data) <= MAX_RECORD_BYTES
        if event["eventType"] in {"video_engagement", "video_complete"}:
            assert 0 <= event["eventData"]["completionRate"] <= 1 and event["eventData"]["videoId"]


def test_same_seed_same_records_other_seed_other_records() -> None:
    assert _gen(1).mixed(3, 1, 1, 1) == _gen(1).mixed(3, 1, 1, 1)
    assert _gen(1).mixed(3) != _gen(2).mixed(3)


def test_struggle_burst_reaches_a_critical_attempt_count_on_one_feature() -> None:
    events = [r.event() for r in _gen().struggle("u-1", feature="checkout", attempts=6)]
    attempts = [e["eventData"]["attemptCount"] for e in events if e and e["eventType"] == "feature_interaction"]
    assert max(attempts) == 6 and attempts == sorted(attempts)
    assert {e["eventData"]["feature"] for e in events if e} == {"checkout"}
    assert {"form_error", "error_event"} <= {e["eventType"] for e in events if e}
    assert len({e["sessionId"] for e in events if e}) == 1


def test_every_hostile_record_breaks_exactly_the_rule_it_names() -> None:
    by_reason = {r.kind.split(":", 1)[1]: r for r in _gen().hostile("mallory")}
    assert by_reason["not-json"].event() is None
    with pytest.raises(UnicodeDecodeError):
        by_reason["not-utf8"].data.decode()
    assert "eventId" not in by_reason["missing-event-id"].event()
    assert not ID.match(by_reason["bad-user-id"].event()["userId"])
    assert by_reason["unknown-event-type"].event()["eventType"] not in EVENT_TYPES
    assert by_reason["timestamp-too-old"].event()["timestamp"] < NOW - 7 * 86_400_000
    assert by_reason["timestamp-in-future"].event()["timestamp"] > NOW + 300_000
    assert by_reason["completion-out-of-range"].event()["eventData"]["completionRate"] > 1
    assert "videoId" not in by_reason["video-without-id"].event()["eventData"]
    assert len(by_reason["oversize"].data) > MAX_RECORD_BYTES


def test_put_places_every_record_on_the_stream_in_order(account: Account) -> None:
    kinesis = account.client("kinesis")
    kinesis.create_stream(StreamName="gen-s", ShardCount=2)
    records = _gen().mixed(users=3, struggles=1)
    placed = put(kinesis, "gen-s", records)
    assert len(placed) == len(records)
    stored = []
    for shard in kinesis.list_shards(StreamName="gen-s")["Shards"]:
        it = kinesis.get_shard_iterator(StreamName="gen-s", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        stored += [r["Data"] for r in kinesis.get_records(ShardIterator=it, Limit=1000)["Records"]]
    assert sorted(stored) == sorted(r.data for r in records)


def test_cli_dry_run_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dry-run", "--users", "1", "--struggle", "0", "--video", "0", "--hostile", "1"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["kind"].split(":")[0] for line in lines} == {"session", "hostile"}


def test_cli_needs_a_stream_to_put(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--users", "1"])
    assert "--stream is required" in capsys.readouterr().err
