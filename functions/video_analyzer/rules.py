"""The video analyzer's accumulators and rules (spec section 4), free of I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from common.scoring.video_engagement import engagement_level, interest_score, patterns

RECOMMEND_AT_VIEW = 3
# Request ids applied to a (user, video) item, kept so a retry after a partial failure (the write
# landed, a later step raised) does not count the same view twice.
APPLIED_KEPT = 20


@dataclass(frozen=True)
class View:
    request_id: str
    watch_ms: int
    completion_rate: float
    at: int


@dataclass(frozen=True)
class Engagement:
    view_count: int
    total_watch_ms: int
    max_completion_rate: float
    last_watched_at: int
    interest_score: float
    level: str
    patterns: tuple[str, ...]
    applied: tuple[tuple[str, int], ...]  # (requestId, viewCount after it)

    def views_after(self, request_id: str) -> int | None:
        """The view count this request produced, if it was applied."""
        return next((count for rid, count in self.applied if rid == request_id), None)


def _engagement(views: int, watch_ms: int, completion: float, last: int, applied: Sequence[tuple[str, int]]) -> Engagement:
    score = interest_score(watch_ms, completion)
    return Engagement(views, watch_ms, completion, last, score, engagement_level(score), tuple(patterns(views, completion)), tuple(applied))


def engagement_of(item: Mapping[str, object] | None) -> Engagement | None:
    if item is None:
        return None
    applied = [(str(entry["requestId"]), int(entry["viewCount"])) for entry in item.get("appliedRequests", [])]  # type: ignore[union-attr]
    return _engagement(
        int(item["viewCount"]),  # type: ignore[call-overload]
        int(item["totalWatchMs"]),  # type: ignore[call-overload]
        float(item["maxCompletionRate"]),  # type: ignore[arg-type]
        int(item["lastWatchedAt"]),  # type: ignore[call-overload]
        applied,
    )


def apply_view(current: Engagement | None, view: View) -> Engagement:
    """The accumulators after one view; a view already applied leaves them as they are."""
    if current is not None and current.views_after(view.request_id) is not None:
        return current
    if current is None:
        return _engagement(1, view.watch_ms, view.completion_rate, view.at, [(view.request_id, 1)])
    views = current.view_count + 1
    return _engagement(
        views,
        current.total_watch_ms + view.watch_ms,
        max(current.max_completion_rate, view.completion_rate),
        max(current.last_watched_at, view.at),
        [*current.applied, (view.request_id, views)][-APPLIED_KEPT:],
    )


def wants_recommendation(state: Engagement, request_id: str) -> bool:
    """The view that made it the third, at level low, asks for one content recommendation."""
    return state.views_after(request_id) == RECOMMEND_AT_VIEW and state.level == "low"


def mean_interest(scores: Sequence[float]) -> float:
    return round(sum(scores) / len(scores), 2) if scores else 0.0
