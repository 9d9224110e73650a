"""Exit-risk scoring: the spec's weights and normalisations, the label threshold, and bad input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.scoring import ScoringInputError
from common.scoring.exit_risk import FEATURES, THRESHOLD, predict, prediction, probability

ALL_RISK = {"error_count": 10, "retry_count": 10, "help_requests": 10, "page_exits": 10, "form_abandons": 10, "click_frustration": 10}


@pytest.mark.spec("exit-risk-formula")
@pytest.mark.spec("exit-risk-missing-zero")
def test_no_features_is_even_odds() -> None:
    assert probability({}) == 0.5


def test_weights_and_normalisations_match_the_spec() -> None:
    # 0.20 + 0.15 + 0.30 + 0.10 + 0.25 + 0.15 = 1.15; - 0.05 x (150 / 300) = -0.025
    # - 0.40 x 0.5 - 0.30 x 0.4 + 0.10 x (60 / 300) - 0.05 x 2 - 0.02 x 3 + 0.02 x (50 / 300)
    features = {
        **ALL_RISK,
        "session_duration": 150,
        "success_rate": 0.5,
        "engagement_score": 40,
        "time_since_last_success": 60,
        "session_count": 2,
        "unique_pages_visited": 3,
        "average_time_per_page": 50,
    }
    total = 1.15 - 0.025 - 0.2 - 0.12 + 0.02 - 0.1 - 0.06 + 0.02 * 50 / 300
    assert probability(features) == pytest.approx((total + 1) / 2)


@pytest.mark.parametrize(
    ("name", "at_cap", "beyond"),
    [
        ("error_count", 10, 25),
        ("help_requests", 10, 1000),
        ("session_duration", 600, 5000),
        ("time_since_last_success", 600, 86400),
        ("average_time_per_page", 600, 7200),
    ],
)
def test_normalisations_cap(name: str, at_cap: float, beyond: float) -> None:
    assert probability({name: beyond}) == probability({name: at_cap})
    assert probability({name: at_cap}) != probability({name: at_cap / 2})


def test_rates_are_clamped() -> None:
    assert probability({"success_rate": 3}) == probability({"success_rate": 1})
    assert probability({"engagement_score": 250}) == probability({"engagement_score": 100}) == pytest.approx(0.35)


@pytest.mark.spec("exit-risk-formula")
def test_probability_is_clamped_to_one_and_zero() -> None:
    assert probability({**ALL_RISK, "time_since_last_success": 600}) == 1.0
    assert probability({"success_rate": 1, "engagement_score": 100, "session_count": 30}) == 0.0


@pytest.mark.spec("exit-risk-threshold")
def test_label_is_positive_only_above_threshold() -> None:
    # time_since_last_success 600 -> 0.1 x 2 = 0.2 -> p = 0.6 exactly: not positive
    at = prediction({"time_since_last_success": 600})
    assert at["probability"] == THRESHOLD and at["label"] == 0
    above = prediction({"time_since_last_success": 600, "error_count": 1})
    assert above["probability"] > THRESHOLD and above["label"] == 1
    assert above["risk_score"] == pytest.approx(above["probability"] * 100)


def test_predict_follows_the_endpoint_contract() -> None:
    out = predict({"instances": [{}, {"help_requests": 10}]})
    assert [p["probability"] for p in out["predictions"]] == [0.5, 0.65]
    assert out["model_version"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "instances"),
        ({"instances": {}}, "instances"),
        ({"instances": ["x"]}, r"instances\[0\]: expected an object"),
        ({"instances": [{"errors": 1}]}, r"instances\[0\]: unknown feature\(s\) \['errors'\]"),
        ({"instances": [{}, {"error_count": "3"}]}, r"instances\[1\]\.error_count: expected a number"),
        ({"instances": [{"error_count": True}]}, r"error_count: expected a number, got bool"),
        ({"instances": [{"retry_count": -1}]}, r"retry_count: expected a finite number >= 0"),
        ({"instances": [{"session_duration": math.nan}]}, r"session_duration: expected a finite number"),
    ],
)
def test_bad_requests_name_the_field(payload: object, message: str) -> None:
    with pytest.raises(ScoringInputError, match=message):
        predict(payload)


@given(st.dictionaries(st.sampled_from(sorted(FEATURES)), st.floats(min_value=0, max_value=1e9)))
def test_probability_stays_in_bounds(features: dict[str, float]) -> None:
    p = prediction(features)
    assert 0.0 <= p["probability"] <= 1.0
    assert 0.0 <= p["risk_score"] <= 100.0


# Each row of the spec's table on its own: one feature's value below and at or beyond its cap, the
# normalised value expected, and the weight read back from p = (w x n + 1) / 2 (one term, no cancelling).
@pytest.mark.parametrize(
    ("name", "weight", "cases"),
    [
        pytest.param("error_count", 0.20, [(5, 0.5), (20, 1.0)], marks=pytest.mark.spec("exit-risk-weight-error-count")),
        pytest.param("retry_count", 0.15, [(3, 0.3), (11, 1.0)], marks=pytest.mark.spec("exit-risk-weight-retry-count")),
        pytest.param("help_requests", 0.30, [(4, 0.4), (10, 1.0)], marks=pytest.mark.spec("exit-risk-weight-help-requests")),
        pytest.param("session_duration", -0.05, [(150, 0.5), (900, 2.0)], marks=pytest.mark.spec("exit-risk-weight-session-duration")),
        pytest.param("page_exits", 0.10, [(7, 0.7), (12, 1.0)], marks=pytest.mark.spec("exit-risk-weight-page-exits")),
        pytest.param("form_abandons", 0.25, [(2, 0.2), (10, 1.0)], marks=pytest.mark.spec("exit-risk-weight-form-abandons")),
        pytest.param("click_frustration", 0.15, [(6, 0.6), (30, 1.0)], marks=pytest.mark.spec("exit-risk-weight-click-frustration")),
        pytest.param("success_rate", -0.40, [(0.25, 0.25), (3, 1.0)], marks=pytest.mark.spec("exit-risk-weight-success-rate")),
        pytest.param("engagement_score", -0.30, [(40, 0.4), (250, 1.0)], marks=pytest.mark.spec("exit-risk-weight-engagement-score")),
        pytest.param(
            "time_since_last_success", 0.10, [(75, 0.25), (86400, 2.0)], marks=pytest.mark.spec("exit-risk-weight-time-since-last-success")
        ),
        pytest.param("session_count", -0.05, [(3, 3.0)], marks=pytest.mark.spec("exit-risk-weight-session-count")),
        pytest.param("unique_pages_visited", -0.02, [(7, 7.0)], marks=pytest.mark.spec("exit-risk-weight-unique-pages-visited")),
        pytest.param(
            "average_time_per_page", 0.02, [(30, 0.1), (1200, 2.0)], marks=pytest.mark.spec("exit-risk-weight-average-time-per-page")
        ),
    ],
)
@pytest.mark.spec("exit-risk-formula")
@pytest.mark.spec("exit-risk-missing-zero")
def test_each_weight_and_normalisation(name: str, weight: float, cases: list[tuple[float, float]]) -> None:
    assert FEATURES[name][0] == weight
    for value, normalised in cases:
        assert probability({name: value}) == pytest.approx((weight * normalised + 1) / 2, abs=1e-12), value


@pytest.mark.spec("exit-risk-threshold")
@pytest.mark.spec("exit-risk-response")
def test_threshold_and_response_fields() -> None:
    assert THRESHOLD == 0.6
    out = predict({"instances": [{"help_requests": 10, "error_count": 10}]})
    (first,) = out["predictions"]
    assert set(first) == {"probability", "label", "risk_score"} and set(out) == {"predictions", "model_version"}
    assert first == {"probability": pytest.approx(0.75), "label": 1, "risk_score": pytest.approx(75.0)}
