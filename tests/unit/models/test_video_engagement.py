"""Video-engagement scoring: the interest formula, levels and patterns at their boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.scoring import ScoringInputError
from common.scoring.video_engagement import RECOMMENDATIONS, engagement_level, interest_score, patterns, predict

completion = st.floats(min_value=0, max_value=1)
watch = st.integers(min_value=0, max_value=10**9)


@pytest.mark.parametrize(
    ("watch_ms", "rate", "score"),
    [
        (0, 0.0, 0.0),
        (300_000, 1.0, 100.0),
        (900_000, 1.0, 100.0),  # watch time counts up to 5 minutes
        (150_000, 0.5, 50.0),
        (100_000, 0.333, 33.31),  # (0.2331 + 0.1) x 100, 2 decimals
    ],
)
def test_interest_score_formula(watch_ms: int, rate: float, score: float) -> None:
    assert interest_score(watch_ms, rate) == score


@pytest.mark.spec("video-interest-watch-weight")
@pytest.mark.parametrize(
    ("score", "level"),
    [(100, "very_high"), (80, "very_high"), (79.99, "high"), (60, "high"), (59.99, "medium"), (40, "medium"), (39.99, "low"), (0, "low")],
)
def test_levels_at_their_boundaries(score: float, level: str) -> None:
    assert engagement_level(score) == level


@pytest.mark.spec("video-patterns")
@pytest.mark.parametrize(
    ("views", "rate", "found"),
    [
        (1, 0.9, ["completes_videos"]),
        (2, 0.9, ["repeat_viewer", "completes_videos"]),
        (1, 0.89, ["partial_viewer"]),
        (1, 0.5, ["partial_viewer"]),
        (3, 0.49, ["repeat_viewer", "quick_browser"]),
        (0, 0.0, ["quick_browser"]),
    ],
)
def test_patterns(views: int, rate: float, found: list[str]) -> None:
    assert patterns(views, rate) == found


@pytest.mark.spec("video-model-response")
def test_predict_follows_the_endpoint_contract() -> None:
    out = predict({"instances": [{"viewCount": 3, "totalWatchMs": 30_000, "maxCompletionRate": 0.2}]})
    (first,) = out["predictions"]
    assert first == {
        "interest_score": 17.0,
        "level": "low",
        "patterns": ["repeat_viewer", "quick_browser"],
        "recommendations": list(RECOMMENDATIONS["low"]),
    }


@pytest.mark.parametrize(
    ("instance", "message"),
    [
        ({"maxCompletionRate": 1.5}, r"maxCompletionRate: expected a value in \[0, 1\]"),
        ({"viewCount": 1.5}, r"viewCount: expected an integer"),
        ({"totalWatchMs": -1}, r"totalWatchMs: expected a finite number >= 0"),
        ({"views": 1}, r"unknown field\(s\) \['views'\]"),
    ],
)
def test_bad_instances_name_the_field(instance: dict[str, object], message: str) -> None:
    with pytest.raises(ScoringInputError, match=message):
        predict({"instances": [instance]})


@given(watch, completion, completion)
def test_score_is_bounded_and_monotonic_in_completion(watch_ms: int, low: float, high: float) -> None:
    low, high = sorted((low, high))
    assert 0 <= interest_score(watch_ms, low) <= interest_score(watch_ms, high) <= 100


@given(watch, watch, completion)
def test_score_is_monotonic_in_watch_time(a: int, b: int, rate: float) -> None:
    a, b = sorted((a, b))
    assert interest_score(a, rate) <= interest_score(b, rate)


@pytest.mark.spec("video-interest-completion-weight")
def test_completion_weighs_0_7() -> None:
    assert interest_score(0, 1.0) == 70.0
    assert interest_score(0, 0.5) == 35.0


@pytest.mark.spec("video-interest-watch-weight")
def test_watch_time_weighs_0_3_up_to_five_minutes() -> None:
    assert interest_score(300_000, 0.0) == 30.0
    assert interest_score(150_000, 0.0) == 15.0
    assert interest_score(297_000, 0.0) == 29.7 and interest_score(600_000, 0.0) == 30.0
    assert interest_score(1, 0.0) == 0.0 and interest_score(100, 0.0) == 0.01  # rounded to 2 decimals
