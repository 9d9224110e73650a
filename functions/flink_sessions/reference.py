"""Pure-Python reference of the session job's aggregation (``main.py``), for unit tests.

Semantics, as Flink's session window gives them: a user's events sorted by time form one session
while consecutive events are at most 30 minutes apart (windows [t, t + gap) that touch merge);
the window ends at the last event + gap. Events later than the job's watermark (60 s) are
dropped by Flink but not here: the reference describes the complete, in-order result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby

from flink_sessions.main import ERROR_TYPES, GAP_MINUTES, VIDEO_TYPES

GAP_MS = GAP_MINUTES * 60_000


@dataclass(frozen=True)
class Session:
    userId: str  # the job's column names
    sessionStart: int
    sessionEnd: int
    events: int
    errors: int
    videoSeconds: float
    durationSeconds: float
    firstEventMs: int
    lastEventMs: int


def _video_ms(event: Mapping[str, object]) -> int:
    data = event.get("eventData") or {}
    return int(data.get("duration") or 0) if event.get("eventType") in VIDEO_TYPES else 0  # type: ignore[union-attr]


def _session(user: str, events: list[Mapping[str, object]]) -> Session:
    first, last = int(events[0]["timestamp"]), int(events[-1]["timestamp"])  # type: ignore[call-overload]
    return Session(
        userId=user,
        sessionStart=first,
        sessionEnd=last + GAP_MS,
        events=len(events),
        errors=sum(e.get("eventType") in ERROR_TYPES for e in events),
        videoSeconds=sum(_video_ms(e) for e in events) / 1000.0,
        durationSeconds=(last - first) / 1000.0,
        firstEventMs=first,
        lastEventMs=last,
    )


def sessions(events: Iterable[Mapping[str, object]]) -> list[Session]:
    """Sessions of every user, ordered by (userId, start)."""
    ordered = sorted(events, key=lambda e: (str(e["userId"]), int(e["timestamp"])))  # type: ignore[call-overload]
    result: list[Session] = []
    for user, group in groupby(ordered, key=lambda e: str(e["userId"])):
        current: list[Mapping[str, object]] = []
        for event in group:
            if current and int(event["timestamp"]) - int(current[-1]["timestamp"]) > GAP_MS:  # type: ignore[call-overload]
                result.append(_session(user, current))
                current = []
            current.append(event)
        result.append(_session(user, current))
    return result
