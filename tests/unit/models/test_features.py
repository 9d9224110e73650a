"""The 13 exit-risk features from a user's events."""

from __future__ import annotations

from decimal import Decimal

import pytest

from common.scoring import ScoringInputError
from common.scoring.exit_risk import FEATURES
from common.scoring.features import derive_features

T0 = 1_700_000_000_000


def ev(event_type: str, offset_s: float, session: str = "s1", **data: object) -> dict[str, object]:
    return {"eventType": event_type, "timestamp": T0 + int(offset_s * 1000), "sessionId": session, "eventData": data}


EVENTS = [
    ev("page_view", 0, page="/home"),
    ev("page_view", 10, page="/pricing"),
    ev("page_view", 20, page="/home"),
    ev("feature_interaction", 30, feature="export", attemptCount=3, success=False),
    ev("feature_interaction", 40, feature="export", attemptCount=Decimal(2), success=True),
    ev("form_error", 50),
    ev("error_event", 55),
    ev("user_action", 60, action="help"),
    ev("user_action", 70, action="rage_click"),
    ev("user_action", 80, action="abandon"),
    ev("checkout_abandon", 90),
    ev("page_view", 100, action="exit", page="/checkout"),
    ev("page_view", -7200, session="s0", page="/old"),
]


@pytest.mark.spec(
    "feature-error-count",
    "feature-help-requests",
    "feature-page-exits",
    "feature-click-frustration",
    "feature-success-rate",
    "feature-time-since-success",
    "feature-pages",
)
def test_every_feature_from_events() -> None:
    features = derive_features(EVENTS, now_ms=T0 + 160_000, engagement_score=Decimal(70))
    assert set(features) == set(FEATURES)
    assert features == {
        "error_count": 2,
        "retry_count": 3,  # (3 - 1) + (2 - 1)
        "help_requests": 1,
        "session_duration": 100.0,  # the latest event's session: 0 s .. 100 s
        "page_exits": 1,
        "form_abandons": 2,
        "click_frustration": 1,
        "success_rate": 1 / 5,  # one success among 2 feature_interaction + 3 user_action
        "engagement_score": 70.0,
        "time_since_last_success": 120.0,
        "session_count": 2.0,
        "unique_pages_visited": 4.0,  # /home, /pricing, /checkout, /old
        "average_time_per_page": 25.0,
    }


@pytest.mark.spec("feature-success-rate")
@pytest.mark.spec("feature-time-since-success")
def test_defaults_without_events_or_profile() -> None:
    features = derive_features([], now_ms=T0)
    assert features["engagement_score"] == 50.0
    assert features["time_since_last_success"] == 86400.0
    assert features["success_rate"] == 0.0
    assert features["session_duration"] == features["average_time_per_page"] == 0.0


@pytest.mark.spec("feature-help-requests", "feature-pages")
def test_only_the_named_event_types_count() -> None:
    """`help` counts only on a user_action, a `page` only on a page_view."""
    features = derive_features([ev("page_view", 0, action="help"), ev("feature_interaction", 5, page="/settings")], now_ms=T0)
    assert features["help_requests"] == 0
    assert features["unique_pages_visited"] == 0


def test_profile_session_overrides_the_events() -> None:
    assert derive_features(EVENTS, now_ms=T0, current_session=(T0 - 600_000, T0))["session_duration"] == 600.0


def test_bad_events_are_named() -> None:
    with pytest.raises(ScoringInputError, match=r"events\[1\]: eventType and sessionId must be strings"):
        derive_features([EVENTS[0], {"timestamp": T0}], now_ms=T0)
    with pytest.raises(ScoringInputError, match=r"events\[0\]\.eventData\.attemptCount: expected a number"):
        derive_features([ev("feature_interaction", 0, attemptCount="3")], now_ms=T0)
