"""The batch against moto DynamoDB and S3 (real boto3 calls) with fake Timestream and SQS clients."""

from __future__ import annotations

import gc
import math

import pytest
from botocore.exceptions import ClientError

from common import metrics as m
from common.metrics import Counts
from event_processor.handler import handle
from event_processor.rules import pad_sequence
from tests.support.event_processor import (
    ARRIVAL_MS,
    FIRST_SEQUENCE,
    PROFILES_TABLE,
    STRUGGLE_URL,
    VIDEO_URL,
    World,
    failures,
    kinesis_event,
    user_event,
)
from tests.support.moto_world import MotoWorld, moto_world


@pytest.fixture
def world(aws_world: MotoWorld) -> World:
    return World.create(aws_world)


def run(world: World, event: dict) -> tuple[set[str], Counts]:
    counts = Counts()
    return failures(handle(event, None, world.deps, counts)), counts


def number(item: dict, name: str) -> int:
    return int(item[name]["N"])


def test_valid_records_next_to_poison_are_processed(world: World) -> None:
    valid = [user_event(user=f"u{i % 3}", event_type="form_error") for i in range(6)]
    poison = ["%%%", b"\xff\xfe", b"{nope", {"eventId": "x"}, user_event(offset_ms=-8 * 24 * 3600 * 1000), b"{" + b" " * 262_144 + b"}"]
    payloads = [p for pair in zip(valid, poison, strict=True) for p in pair]
    event = kinesis_event(payloads)
    failed, counts = run(world, event)
    assert failed == set()
    assert counts[m.RECORDS_PROCESSED] == 6 and counts[m.RECORDS_QUARANTINED] == 6 and counts[m.RECORDS_RETRIED] == 0
    assert len(world.events()) == 6
    quarantined = world.quarantine()
    assert {k.rsplit("/", 1)[1] for k in quarantined} == {f"{FIRST_SEQUENCE + 2 * i + 1}.json" for i in range(6)}
    reasons = sorted(body["reason"].split(":")[0].split(" at ")[0] for body in quarantined.values())
    assert reasons == ["bad JSON", "bad UTF-8", "bad base64", "invalid event", "invalid event", "oversized"]
    assert sum(number(p, "totalEvents") for p in world.profiles().values()) == 6
    assert len(world.sqs.sent[STRUGGLE_URL]) == 6


@pytest.mark.spec("processor-message-batches")
@pytest.mark.spec("processor-call-counts")
def test_call_counts_for_n_records_and_u_users(world: World) -> None:
    n_records, n_users = 230, 120
    payloads = [
        user_event(
            user=f"user-{i % n_users}", event_type=("video_engagement" if i % 3 == 0 else "form_error" if i % 3 == 1 else "page_view")
        )
        for i in range(n_records)
    ]
    failed, counts = run(world, kinesis_event(payloads))
    assert failed == set()
    videos, struggles = len(range(0, n_records, 3)), len(range(1, n_records, 3))
    assert world.dynamodb.calls["batch_write_item"] == math.ceil(n_records / 25)
    assert world.dynamodb.calls["batch_get_item"] == math.ceil(n_users / 100)
    assert world.dynamodb.calls["update_item"] == n_users
    assert world.dynamodb.calls["get_item"] == 0
    assert len(world.timestream.table("user-metrics")) == n_records
    assert world.timestream.calls["user-metrics"] == math.ceil(n_records / 100)
    assert {url: len(b) for url, b in world.sqs.sent.items()} == {VIDEO_URL: videos, STRUGGLE_URL: struggles}
    assert sorted(world.sqs.batches) == sorted([10] * (videos // 10) + [videos % 10] + [10] * (struggles // 10) + [struggles % 10])
    assert counts[m.MESSAGES_SENT] == videos + struggles


class Unprocessing:
    """Moto client whose first BatchWriteItem stores only the first half and returns the rest unprocessed."""

    def __init__(self, client: object) -> None:
        self._client, self.requests = client, []

    def __getattr__(self, name: str) -> object:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict) -> dict:
        ((table, requests),) = RequestItems.items()
        self.requests.append(len(requests))
        if len(self.requests) == 1:
            half = len(requests) // 2
            self._client.batch_write_item(RequestItems={table: requests[:half]})
            return {"UnprocessedItems": {table: requests[half:]}}
        return self._client.batch_write_item(RequestItems=RequestItems)


@pytest.mark.spec("processor-call-counts")
def test_only_unprocessed_items_are_written_again(world: World) -> None:
    spy = Unprocessing(world.dynamodb._client)
    world.deps.dynamodb._client = spy
    failed, _ = run(world, kinesis_event([user_event(user=f"u{i}") for i in range(30)]))
    assert failed == set()
    assert spy.requests == [25, 13, 5]  # 25 -> 12 stored + 13 retried, then the last 5
    assert len(world.events()) == 30


def conflict(operation: str = "UpdateItem") -> ClientError:
    return ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "conflict"}}, operation)


class Conflicting:
    """Raises a conditional check failure for the first ``times`` updates of ``user``."""

    def __init__(self, client: object, user: str, times: int) -> None:
        self._client, self.user, self.times = client, user, times
        self.exceptions = client.exceptions

    def __getattr__(self, name: str) -> object:
        return getattr(self._client, name)

    def update_item(self, **kwargs: object) -> dict:
        if kwargs["Key"]["userId"]["S"] == self.user and self.times:
            self.times -= 1
            raise self.exceptions.ConditionalCheckFailedException({"Error": {"Code": "ConditionalCheckFailedException"}}, "UpdateItem")
        return self._client.update_item(**kwargs)


@pytest.mark.spec("processor-conflict-retries")
def test_conflicts_are_reread_and_retried(world: World) -> None:
    world.deps.dynamodb._client = Conflicting(world.dynamodb, "u1", times=2)
    failed, counts = run(world, kinesis_event([user_event(user="u1"), user_event(user="u2")]))
    assert failed == set()
    assert counts[m.CONDITIONAL_CONFLICTS] == 2 and world.dynamodb.calls["get_item"] == 2
    assert number(world.profiles()["u1"], "totalEvents") == 1


@pytest.mark.spec("processor-conflict-retries")
def test_persistent_conflicts_report_that_users_records_only(world: World) -> None:
    world.deps.dynamodb._client = Conflicting(world.dynamodb, "u1", times=3)
    event = kinesis_event([user_event(user="u1"), user_event(user="u2"), user_event(user="u1")])
    failed, counts = run(world, event)
    assert failed == {str(FIRST_SEQUENCE), str(FIRST_SEQUENCE + 2)}
    assert counts[m.RECORDS_RETRIED] == 2 and counts[m.RECORDS_PROCESSED] == 1
    assert set(world.profiles()) == {"u2"}
    # Lambda delivers the batch again: u1 is applied once, u2 not a second time.
    failed, _ = run(world, event)
    assert failed == set()
    assert {u: number(p, "totalEvents") for u, p in world.profiles().items()} == {"u1": 2, "u2": 1}


class ConcurrentWriter:
    """Before our first update of ``user``, an earlier delivery's update lands (first record applied)."""

    def __init__(self, client: object, user: str, first_sequence: str) -> None:
        self._client, self.user, self.first_sequence, self.done = client, user, first_sequence, False
        self.exceptions = client.exceptions

    def __getattr__(self, name: str) -> object:
        return getattr(self._client, name)

    def update_item(self, **kwargs: object) -> dict:
        if not self.done:
            self.done = True
            self._client.put_item(
                TableName=PROFILES_TABLE,
                Item={
                    "userId": {"S": self.user},
                    "lastSequenceNumber": {"S": pad_sequence(self.first_sequence)},
                    "totalEvents": {"N": "1"},
                    "totalSessions": {"N": "1"},
                },
            )
        return self._client.update_item(**kwargs)


def test_a_concurrent_update_is_not_counted_twice(world: World) -> None:
    world.deps.dynamodb._client = ConcurrentWriter(world.dynamodb._client, "u1", str(FIRST_SEQUENCE))
    failed, counts = run(world, kinesis_event([user_event(user="u1") for _ in range(3)]))
    assert failed == set() and counts[m.CONDITIONAL_CONFLICTS] == 1
    profile = world.profiles()["u1"]
    assert number(profile, "totalEvents") == 3  # 1 by the other writer + the 2 records above its watermark
    assert profile["lastSequenceNumber"]["S"] == pad_sequence(str(FIRST_SEQUENCE + 2))


@pytest.mark.spec("processor-session-summary")
def test_closed_session_summary_goes_out_before_the_update(world: World) -> None:
    run(world, kinesis_event([user_event(session="A", offset_ms=-9000), user_event(session="A", offset_ms=-6000, event_type="form_error")]))
    failed, _ = run(world, kinesis_event([user_event(session="B", offset_ms=-1000)], first=FIRST_SEQUENCE + 10))
    assert failed == set()
    (summary,) = world.timestream.table("session-analytics")
    assert summary["Time"] == str(ARRIVAL_MS - 9000) and summary["Version"] == 1
    assert {v["Name"]: v["Value"] for v in summary["MeasureValues"]} == {
        "event_count": "2",
        "error_count": "1",
        "video_watch_ms": "0",
        "duration_ms": "3000",
    }
    profile = world.profiles()["u1"]
    assert number(profile, "totalSessions") == 2 and profile["currentSession"]["M"]["sessionId"]["S"] == "B"


@pytest.mark.spec("processor-summary-failure-retried")
def test_failed_summary_write_reports_the_users_records_and_keeps_the_profile(world: World) -> None:
    run(world, kinesis_event([user_event(user="u1", session="A"), user_event(user="u2", session="A")]))
    before = world.profiles()["u1"]
    real_write = world.timestream.write_records

    def failing(**kwargs: object) -> dict:
        if kwargs["TableName"] == "session-analytics":
            raise ConnectionError("timestream down")
        return real_write(**kwargs)

    world.timestream.write_records = failing
    event = kinesis_event([user_event(user="u1", session="B"), user_event(user="u2", session="A")], first=FIRST_SEQUENCE + 10)
    failed, _ = run(world, event)
    assert failed == {str(FIRST_SEQUENCE + 10)}
    assert world.profiles()["u1"] == before
    world.timestream.write_records = real_write
    assert run(world, event)[0] == set()
    assert number(world.profiles()["u1"], "totalSessions") == 2 and number(world.profiles()["u2"], "totalEvents") == 2


@pytest.mark.spec("timestream-disabled-counted")
def test_timestream_switched_off_is_skipped_and_counted() -> None:
    with moto_world() as aws:
        world = World.create(aws, timestream=False)
        run(world, kinesis_event([user_event(session="A")]))
        failed, counts = run(world, kinesis_event([user_event(session="B"), user_event(session="B")], first=FIRST_SEQUENCE + 5))
        assert failed == set()
        assert world.timestream.records == {}
        assert counts[m.TIMESTREAM_DISABLED] == 3  # two user-metrics records and one closed session


def test_quarantine_write_failure_is_retried_not_dropped(world: World) -> None:
    world.s3.fail["put_object"] = 1
    event = kinesis_event([b"junk", user_event()])
    failed, counts = run(world, event)
    assert failed == {str(FIRST_SEQUENCE)} and counts[m.RECORDS_PROCESSED] == 1
    assert world.quarantine() == {}
    assert run(world, event)[0] == set()
    assert len(world.quarantine()) == 1


def test_store_failure_reports_every_valid_record_and_redelivery_counts_once(world: World) -> None:
    world.dynamodb.fail["batch_write_item"] = 1
    event = kinesis_event([user_event(user="u1"), b"junk", user_event(user="u2")])
    failed, counts = run(world, event)
    assert failed == {str(FIRST_SEQUENCE), str(FIRST_SEQUENCE + 2)} and counts[m.RECORDS_QUARANTINED] == 1
    assert run(world, event)[0] == set()
    assert {u: number(p, "totalEvents") for u, p in world.profiles().items()} == {"u1": 1, "u2": 1}
    assert len(world.events()) == 2


def test_send_failure_reports_the_records_behind_the_messages(world: World) -> None:
    def down(**kwargs: object) -> dict:
        raise ConnectionError("sqs down")

    world.deps.sqs._client.send_message_batch = down
    failed, _ = run(world, kinesis_event([user_event(event_type="form_error"), user_event()]))
    assert failed == {str(FIRST_SEQUENCE)}


def test_an_all_failed_batch_is_still_a_partial_response(world: World) -> None:
    world.dynamodb.fail["batch_write_item"] = 1
    response = handle(kinesis_event([user_event()]), None, world.deps, Counts())
    assert response == {"batchItemFailures": [{"itemIdentifier": str(FIRST_SEQUENCE)}]}


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_for_the_batch_and_restored(world: World, monkeypatch: pytest.MonkeyPatch, enabled: bool) -> None:
    """The plan's objects are freed by reference counting before the cyclic collector resumes (see
    ``collector_paused``); the caller's setting comes back whatever it was."""
    seen: list[bool] = []
    write = world.deps.dynamodb.batch_write
    monkeypatch.setattr(world.deps.dynamodb, "batch_write", lambda *args, **kwargs: seen.append(gc.isenabled()) or write(*args, **kwargs))
    (gc.enable if enabled else gc.disable)()
    try:
        failed, _ = run(world, kinesis_event([user_event()]))
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert failed == set() and seen == [False]
