"""The 13 exit-risk features from a user's recent events (spec section 5).

Shared by the struggle detector (events of the last 24 h from the user-events table) and the
feature-engineering processing script (the user-events export), so training and serving agree.
An event is a mapping with ``eventType``, ``timestamp`` (epoch ms), ``sessionId`` and optional
``eventData``; numbers may be ``Decimal`` (DynamoDB).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from common.scoring import ScoringInputError, number

NO_SUCCESS_SECONDS = 86_400.0
DEFAULT_ENGAGEMENT = 50.0
ERROR_TYPES = {"form_error", "error_event"}
RATED_TYPES = {"feature_interaction", "user_action"}


def _event_fields(event: Mapping[str, object], where: str) -> tuple[str, float, str, Mapping[str, object]]:
    event_type = event.get("eventType")
    session = event.get("sessionId")
    if not isinstance(event_type, str) or not isinstance(session, str):
        raise ScoringInputError(f"{where}: eventType and sessionId must be strings")
    data = event.get("eventData") or {}
    if not isinstance(data, Mapping):
        raise ScoringInputError(f"{where}.eventData: expected an object")
    return event_type, number(event.get("timestamp"), f"{where}.timestamp"), session, data


def derive_features(
    events: Iterable[Mapping[str, object]],
    now_ms: float,
    engagement_score: object = None,
    current_session: tuple[float, float] | None = None,
) -> dict[str, float]:
    """Features over ``events`` as seen at ``now_ms``.

    ``current_session`` is (start, last) in epoch ms when the profile knows it; otherwise the
    current session is the one of the latest event. ``success_rate`` counts successes among the
    rated events (feature_interaction, user_action) so it stays a rate.
    """
    counts = dict.fromkeys(("error_count", "retry_count", "help_requests", "page_exits", "form_abandons", "click_frustration"), 0.0)
    rated = successes = 0
    last_success: float | None = None
    sessions: dict[str, list[float]] = {}
    pages: set[str] = set()
    latest: tuple[float, str] | None = None
    for i, event in enumerate(events):
        event_type, ts, session, data = _event_fields(event, f"events[{i}]")
        action = data.get("action")
        sessions.setdefault(session, []).append(ts)
        latest = max(latest, (ts, session)) if latest else (ts, session)
        counts["error_count"] += event_type in ERROR_TYPES
        if event_type == "feature_interaction":
            counts["retry_count"] += number(data.get("attemptCount", 1), f"events[{i}].eventData.attemptCount") - 1
        counts["help_requests"] += event_type == "user_action" and action == "help"
        counts["page_exits"] += action == "exit"
        counts["form_abandons"] += event_type == "checkout_abandon" or action == "abandon"
        counts["click_frustration"] += action == "rage_click"
        if data.get("success") is True:
            last_success = ts if last_success is None else max(last_success, ts)
            successes += event_type in RATED_TYPES
        rated += event_type in RATED_TYPES
        if event_type == "page_view" and isinstance(data.get("page"), str):
            pages.add(data["page"])
    if current_session is None and latest is not None:
        stamps = sessions[latest[1]]
        current_session = (min(stamps), max(stamps))
    duration = max(0.0, (current_session[1] - current_session[0]) / 1000) if current_session else 0.0
    engagement = DEFAULT_ENGAGEMENT if engagement_score is None else number(engagement_score, "profile.engagementScore")
    return {
        **counts,
        "session_duration": duration,
        "success_rate": successes / rated if rated else 0.0,
        "engagement_score": engagement,
        "time_since_last_success": NO_SUCCESS_SECONDS if last_success is None else max(0.0, (now_ms - last_success) / 1000),
        "session_count": float(len(sessions)),
        "unique_pages_visited": float(len(pages)),
        "average_time_per_page": duration / max(len(pages), 1),
    }
