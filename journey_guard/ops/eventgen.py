"""Event generator: realistic user-event traffic for the Kinesis stream (system spec, section 4).

Kinds of traffic, each a list of :class:`Record` (partition key ``userId``, UTF-8 JSON bytes):
``session`` (page views, feature use, help and pricing visits), ``struggle`` (a burst of failed
attempts, form errors, error events and rage clicks on one feature), ``video`` (engagement
events then a completion), and ``hostile`` (records the event processor must quarantine: not
JSON, not UTF-8, missing or malformed fields, out-of-range values, a timestamp outside the
accepted window, oversize). Deterministic for a given seed and clock.

CLI (prints JSON lines with ``--dry-run``, else puts to any stream)::

    python -m journey_guard.ops.eventgen --stream uja-user-events-dev --users 20 --struggle 2 --video 3 --hostile 5
    python -m journey_guard.ops.eventgen --stream arn:aws:kinesis:... --endpoint-url http://127.0.0.1:5000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

MAX_RECORD_BYTES = 256 * 1024
PUT_RECORDS_LIMIT = 500
PLATFORMS = ("iOS", "Android", "Web")
SEGMENTS = ("new_user", "active_user", "engaged_user", "at_risk", "churned", "default")
FEATURES = ("checkout", "search", "profile-edit", "export.csv", "billing_update")
PAGES = ("/home", "/pricing", "/docs", "/settings", "/checkout", "/videos")


@dataclass(frozen=True)
class Record:
    partition_key: str
    data: bytes
    kind: str  # session, struggle, video, or hostile:<reason>

    def event(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.data)
        except ValueError:
            return None


class Generator:
    def __init__(self, seed: int = 0, now_ms: Callable[[], int] | None = None) -> None:
        self.rng = random.Random(seed)
        self._now_ms = now_ms or (lambda: int(time.time() * 1000))
        self._clock = 0

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _ts(self) -> int:
        # Strictly increasing within a run so one user's events keep their order and keys.
        self._clock += 1
        return self._now_ms() - 60_000 + self._clock

    def event(self, user: str, session: str, event_type: str, data: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        event: dict[str, Any] = {
            "eventId": self._uuid(),
            "userId": user,
            "sessionId": session,
            "eventType": event_type,
            "timestamp": self._ts(),
            "deviceInfo": {"platform": self.rng.choice(PLATFORMS), "appVersion": "4.2.0", "deviceModel": "generated"},
            "userContext": {"userSegment": self.rng.choice(SEGMENTS), "sessionStage": "active", "previousActions": []},
        }
        if data is not None:
            event["eventData"] = data
        return event | extra

    @staticmethod
    def _record(event: dict[str, Any], kind: str) -> Record:
        return Record(event["userId"], json.dumps(event, separators=(",", ":")).encode(), kind)

    def session(self, user: str, events: int = 8) -> list[Record]:
        session = f"s-{self._uuid()[:8]}"
        out = []
        for _ in range(events):
            kind = self.rng.choices(["page_view", "feature_interaction", "user_action", "pricing_page_view"], weights=[5, 3, 1, 1])[0]
            if kind == "page_view":
                data: dict[str, Any] = {"page": self.rng.choice(PAGES), "duration": self.rng.randint(500, 60_000)}
            elif kind == "feature_interaction":
                data = {"feature": self.rng.choice(FEATURES), "success": True, "attemptCount": 1}
            elif kind == "user_action":
                data = {"action": self.rng.choice(["help", "share", "bookmark"]), "page": self.rng.choice(PAGES)}
            else:
                data = {"page": "/pricing"}
            out.append(self._record(self.event(user, session, kind, data), "session"))
        return out

    def struggle(self, user: str, feature: str = "checkout", attempts: int = 6) -> list[Record]:
        """Failed attempts climbing to ``attempts`` (>= 5 is critical), with errors and rage clicks."""
        session = f"s-{self._uuid()[:8]}"
        out = []
        for attempt in range(1, attempts + 1):
            data = {"feature": feature, "success": False, "attemptCount": attempt}
            out.append(self._record(self.event(user, session, "feature_interaction", data), "struggle"))
        out.append(self._record(self.event(user, session, "form_error", {"feature": feature, "errorType": "validation"}), "struggle"))
        out.append(self._record(self.event(user, session, "error_event", {"feature": feature, "errorType": "http_500"}), "struggle"))
        out.append(self._record(self.event(user, session, "user_action", {"feature": feature, "action": "rage_click"}), "struggle"))
        return out

    def video(self, user: str, video: str = "intro-101", watch_ms: int = 90_000, complete: bool = True) -> list[Record]:
        session = f"s-{self._uuid()[:8]}"
        out = [
            self._record(
                self.event(
                    user,
                    session,
                    "video_engagement",
                    {"videoId": video, "duration": watch_ms // 2, "completionRate": 0.5, "playbackSpeed": 1.0},
                ),
                "video",
            )
        ]
        if complete:
            out.append(
                self._record(
                    self.event(user, session, "video_complete", {"videoId": video, "duration": watch_ms // 2, "completionRate": 1.0}),
                    "video",
                )
            )
        return out

    def hostile(self, user: str = "mallory") -> list[Record]:
        """One record per way a producer can be wrong; every one must be quarantined, none retried."""
        session = "s-hostile"

        def variant(reason: str, **changes: Any) -> Record:
            event = self.event(user, session, "page_view", {"page": "/home"})
            for key, value in changes.items():
                if value is None:
                    event.pop(key, None)
                else:
                    event[key] = value
            return Record(user, json.dumps(event).encode(), f"hostile:{reason}")

        now = self._now_ms()
        return [
            Record(user, b"{not json", "hostile:not-json"),
            Record(user, b"\xff\xfe\x00garbage", "hostile:not-utf8"),
            Record(user, b"[1, 2, 3]", "hostile:not-an-object"),
            variant("missing-event-id", eventId=None),
            variant("bad-event-id", eventId="not-a-uuid"),
            variant("bad-user-id", userId="../../etc/passwd"),
            variant("unknown-event-type", eventType="drop_table"),
            variant("timestamp-too-old", timestamp=now - 8 * 24 * 3600 * 1000),
            variant("timestamp-in-future", timestamp=now + 10 * 60 * 1000),
            variant("completion-out-of-range", eventType="video_engagement", eventData={"videoId": "v1", "completionRate": 2.0}),
            variant("video-without-id", eventType="video_complete", eventData={"completionRate": 1.0}),
            variant("attempts-out-of-range", eventType="feature_interaction", eventData={"feature": "checkout", "attemptCount": 0}),
            variant("oversize", eventData={"page": "x" * (MAX_RECORD_BYTES + 1)}),
        ]

    def mixed(self, users: int, struggles: int = 0, videos: int = 0, hostile: int = 0) -> list[Record]:
        """Sessions for ``users`` users, plus struggle bursts, video sessions and hostile sets."""
        out: list[Record] = []
        for i in range(users):
            out += self.session(f"user-{i:04d}", events=self.rng.randint(3, 12))
        for i in range(struggles):
            out += self.struggle(f"struggler-{i:04d}", feature=self.rng.choice(FEATURES))
        for i in range(videos):
            out += self.video(f"viewer-{i:04d}", video=f"video-{i % 5:02d}", watch_ms=self.rng.randint(10_000, 400_000))
        for i in range(hostile):
            out += self.hostile(f"mallory-{i:04d}")
        return out


def put(client: Any, stream: str, records: Iterable[Record], attempts: int = 5) -> list[dict[str, str]]:
    """PutRecords in chunks of 500, re-putting only throttled entries; returns shard and sequence per record."""
    target = {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}
    pending = list(records)
    placed: list[dict[str, str]] = []
    for start in range(0, len(pending), PUT_RECORDS_LIMIT):
        chunk = pending[start : start + PUT_RECORDS_LIMIT]
        results: list[dict[str, str] | None] = [None] * len(chunk)
        todo = list(range(len(chunk)))
        for attempt in range(attempts):
            response = client.put_records(Records=[{"Data": chunk[i].data, "PartitionKey": chunk[i].partition_key} for i in todo], **target)
            retry = []
            for index, entry in zip(todo, response["Records"], strict=True):
                if "ErrorCode" in entry:
                    retry.append(index)
                else:
                    results[index] = {"ShardId": entry["ShardId"], "SequenceNumber": entry["SequenceNumber"]}
            todo = retry
            if not todo:
                break
            time.sleep(0.1 * 2**attempt)
        if todo:
            raise RuntimeError(f"eventgen: {len(todo)} records still throttled by {stream} after {attempts} attempts")
        placed += [r for r in results if r is not None]
    return placed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.ops.eventgen", description=__doc__.splitlines()[0])
    parser.add_argument("--stream", help="stream name or ARN (required unless --dry-run)")
    parser.add_argument("--endpoint-url", help="e.g. a moto server; default: AWS")
    parser.add_argument("--region", default=None)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--struggle", type=int, default=1, help="struggle bursts")
    parser.add_argument("--video", type=int, default=1, help="video sessions")
    parser.add_argument("--hostile", type=int, default=0, help="sets of hostile/malformed records")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dry-run", action="store_true", help="print the records as JSON lines, put nothing")
    args = parser.parse_args(argv)
    records = Generator(args.seed).mixed(args.users, args.struggle, args.video, args.hostile)
    if args.dry_run:
        for r in records:
            print(json.dumps({"kind": r.kind, "partitionKey": r.partition_key, "data": r.data.decode("utf-8", "replace")[:2000]}))
        return 0
    if not args.stream:
        parser.error("--stream is required unless --dry-run")
    import boto3

    placed = put(boto3.client("kinesis", endpoint_url=args.endpoint_url, region_name=args.region), args.stream, records)
    kinds: dict[str, int] = {}
    for r in records:
        kinds[r.kind.split(":")[0]] = kinds.get(r.kind.split(":")[0], 0) + 1
    print(f"eventgen: put {len(placed)} records to {args.stream} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
