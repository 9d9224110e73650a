"""The struggle detector's rules at every threshold, and as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from struggle_detector import rules

T = 1_700_000_000_000
severities = st.lists(st.sampled_from(["low", "medium", "high", "critical"]), max_size=20)
attempts = st.integers(min_value=1, max_value=1000)


@pytest.mark.spec("struggle-severity")
@pytest.mark.parametrize(("count", "severity"), [(1, "low"), (2, "medium"), (3, "high"), (4, "high"), (5, "critical"), (1000, "critical")])
def test_severity(count: int, severity: str) -> None:
    assert rules.severity(count) == severity


@pytest.mark.spec("struggle-score-attempts")
@pytest.mark.spec("struggle-score-severity-points")
@pytest.mark.parametrize(
    ("count", "prior", "score"),
    [
        (1, [], 10),
        (5, [], 50),
        (9, [], 50),  # attempts contribute at most 50
        (2, ["low"], 25),
        (2, ["medium", "high", "critical"], 20 + 15 + 30),
        (1, ["low"] * 6, 10 + 30),
        (1, ["low"] * 7, 10 + 30),  # signals contribute at most 30
        (5, ["critical"] * 4, 100),  # 50 + 20 + 60, capped
    ],
)
def test_risk_score(count: int, prior: list[str], score: int) -> None:
    assert rules.risk_score(count, prior) == score


@pytest.mark.spec("struggle-level")
@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "low"), (39, "low"), (40, "medium"), (59, "medium"), (60, "high"), (79, "high"), (80, "critical"), (100, "critical")],
)
def test_risk_level(score: int, level: str) -> None:
    assert rules.risk_level(score) == level


@pytest.mark.spec("struggle-exit-risk-step")
@pytest.mark.parametrize(
    ("level", "p", "stepped"),
    [("low", 0.6, "low"), ("low", 0.61, "medium"), ("medium", 0.9, "high"), ("high", 0.7, "critical"), ("critical", 1.0, "critical")],
)
def test_exit_risk_step_up_only_above_threshold(level: str, p: float, stepped: str) -> None:
    assert rules.stepped_level(level, p) == stepped


@pytest.mark.spec("struggle-success-probability")
@pytest.mark.parametrize(
    ("level", "count", "percent"),
    [("critical", 1, 60), ("critical", 7, 30), ("critical", 20, 30), ("high", 3, 65), ("medium", 2, 80), ("low", 14, 30)],
)
def test_success_probability(level: str, count: int, percent: int) -> None:
    assert rules.success_probability(level, count) == percent
    assert rules.recommendations(level, count)["successProbability"] == percent


def test_recommendations_have_immediate_and_follow_up_actions() -> None:
    for level in rules.LEVELS:
        rec = rules.recommendations(level, 1)
        assert rec["immediate"] and rec["followUp"]


@pytest.mark.spec("struggle-intervention-type")
def test_interventions_only_for_high_and_critical() -> None:
    assert rules.intervention("critical") == ("live_chat_offer", "critical")
    assert rules.intervention("high") == ("contextual_help", "high")
    assert rules.intervention("medium") is None
    assert rules.intervention("low") is None


def signal(key: str, detected_at: int, severity: str = "low") -> dict[str, object]:
    return {"signalKey": key, "detectedAt": detected_at, "severity": severity, "itemType": "signal"}


@pytest.mark.spec("struggle-prior-window")
def test_prior_signals_exclude_current_cooldown_and_old() -> None:
    current = rules.signal_key("export", T, "e0")
    items = [
        signal(current, T),  # this signal, already stored by an earlier attempt
        signal("export#x#same-ms", T),  # same millisecond: not before
        signal("search#1#e1", T - 1),
        signal("export#2#e2", T - 86_400_000),  # exactly 24 h before: inside
        signal("export#3#e3", T - 86_400_000 - 1),  # outside
        {"signalKey": "cooldown#export", "itemType": "cooldown", "expiresAt": T + 1},
        signal("later#4#e4", T + 5),
    ]
    assert [i["signalKey"] for i in rules.prior_signals(items, current, T)] == ["search#1#e1", "export#2#e2"]


@pytest.mark.spec("dynamo-signal-key")
def test_keys() -> None:
    assert rules.signal_key("export", T, "e1") == f"export#{T}#e1"
    assert rules.cooldown_key("export") == "cooldown#export"


@given(attempts, severities)
def test_score_in_bounds(count: int, prior: list[str]) -> None:
    assert 0 <= rules.risk_score(count, prior) <= 100


@given(attempts, attempts, severities)
def test_score_monotonic_in_attempts(a: int, b: int, prior: list[str]) -> None:
    a, b = sorted((a, b))
    assert rules.risk_score(a, prior) <= rules.risk_score(b, prior)


@given(attempts, severities, st.sampled_from(["low", "medium", "high", "critical"]))
def test_score_monotonic_in_prior_signals(count: int, prior: list[str], extra: str) -> None:
    assert rules.risk_score(count, prior) <= rules.risk_score(count, [*prior, extra])


@given(st.integers(0, 100), st.integers(0, 100), st.floats(0, 1), st.floats(0, 1))
def test_level_never_drops_when_risk_rises(a: int, b: int, p: float, q: float) -> None:
    (a, b), (p, q) = sorted((a, b)), sorted((p, q))
    low = rules.LEVELS.index(rules.stepped_level(rules.risk_level(a), p))
    high = rules.LEVELS.index(rules.stepped_level(rules.risk_level(b), q))
    assert low <= high


@pytest.mark.parametrize(("prior", "points"), [("critical", 15), ("high", 10), ("medium", 5), ("low", 0)])
@pytest.mark.spec("struggle-score-severity-points")
def test_each_prior_severity_adds_its_points(prior: str, points: int) -> None:
    # One attempt (10) and one prior signal (5), plus that signal's severity points alone.
    assert rules.risk_score(1, [prior]) == 10 + 5 + points


@pytest.mark.parametrize(("level", "base"), [("critical", 60), ("high", 75), ("medium", 85), ("low", 95)])
@pytest.mark.spec("struggle-success-probability")
def test_each_level_has_its_base_success_probability(level: str, base: int) -> None:
    assert rules.success_probability(level, 1) == base
    assert rules.success_probability(level, 2) == base - 5
    assert rules.success_probability(level, 100) == 30


@pytest.mark.spec("struggle-score-attempts")
def test_attempts_term_caps_at_50_and_signals_term_at_30() -> None:
    assert [rules.risk_score(n, []) for n in (1, 4, 5, 6)] == [10, 40, 50, 50]
    assert [rules.risk_score(1, ["low"] * s) for s in (5, 6, 7)] == [35, 40, 40]
