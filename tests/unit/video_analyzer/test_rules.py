"""The video analyzer's accumulators: one view at a time, each request counted once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from video_analyzer.rules import APPLIED_KEPT, View, apply_view, engagement_of, mean_interest, wants_recommendation

T = 1_700_000_000_000


def view(n: int, watch_ms: int = 10_000, rate: float = 0.1, at: int = T) -> View:
    return View(f"video:e{n}", watch_ms, rate, at)


@pytest.mark.spec("video-accumulators")
@pytest.mark.spec("video-patterns")
def test_first_and_later_views_accumulate() -> None:
    state = apply_view(None, view(1, 120_000, 0.5, T))
    assert (state.view_count, state.total_watch_ms, state.max_completion_rate, state.last_watched_at) == (1, 120_000, 0.5, T)
    assert state.interest_score == 47.0 and state.level == "medium" and state.patterns == ("partial_viewer",)
    state = apply_view(state, view(2, 180_000, 0.3, T - 5))
    assert (state.view_count, state.total_watch_ms, state.max_completion_rate, state.last_watched_at) == (2, 300_000, 0.5, T)
    assert state.interest_score == 65.0 and state.level == "high" and state.patterns == ("repeat_viewer", "partial_viewer")


def test_a_request_is_applied_once() -> None:
    once = apply_view(apply_view(None, view(1)), view(2))
    assert apply_view(once, view(2)) == once
    assert once.views_after("video:e2") == 2


@pytest.mark.spec("video-recommend-third-low")
def test_third_low_view_wants_one_recommendation() -> None:
    state = None
    for n in range(1, 5):
        state = apply_view(state, view(n))
        assert state.level == "low"
        assert wants_recommendation(state, f"video:e{n}") is (n == 3)
    assert wants_recommendation(state, "video:e3")  # a retry of the third view asks again (same requestId downstream)


def test_third_view_above_low_wants_nothing() -> None:
    state = None
    for n in range(1, 4):
        state = apply_view(state, view(n, rate=0.6))
    assert state.level == "medium" and not wants_recommendation(state, "video:e3")


def test_item_round_trip_and_applied_log_is_bounded() -> None:
    state = None
    for n in range(APPLIED_KEPT + 5):
        state = apply_view(state, view(n))
    assert len(state.applied) == APPLIED_KEPT and state.applied[-1] == (f"video:e{APPLIED_KEPT + 4}", APPLIED_KEPT + 5)
    item = {
        "viewCount": state.view_count,
        "totalWatchMs": state.total_watch_ms,
        "maxCompletionRate": state.max_completion_rate,
        "lastWatchedAt": state.last_watched_at,
        "appliedRequests": [{"requestId": r, "viewCount": c} for r, c in state.applied],
    }
    assert engagement_of(item) == state
    assert engagement_of(None) is None


@pytest.mark.spec("video-engagement-score-mean")
def test_mean_interest() -> None:
    assert mean_interest([]) == 0.0
    assert mean_interest([10.0, 20.0, 40.0]) == 23.33


@given(st.lists(st.tuples(st.integers(0, 10**7), st.floats(0, 1)), min_size=1, max_size=30))
def test_accumulators_and_bounds(views: list[tuple[int, float]]) -> None:
    state = None
    previous = -1.0
    for n, (watch_ms, rate) in enumerate(views):
        state = apply_view(state, view(n, watch_ms, rate))
        assert 0 <= state.interest_score <= 100
        assert state.interest_score >= previous  # more watching never lowers interest
        previous = state.interest_score
    assert state.view_count == len(views)
    assert state.total_watch_ms == sum(w for w, _ in views)
    assert state.max_completion_rate == max(r for _, r in views)
