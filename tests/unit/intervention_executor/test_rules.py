"""The executor's rules: channel, texts, the hourly limit and the history cap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intervention_executor import rules

NOW = 1_700_000_000_000
HOUR_MS = 3_600_000  # the spec's numbers are written out, not imported from the rules


@pytest.mark.spec("executor-channels")
@pytest.mark.parametrize(("priority", "channel"), [("critical", "push"), ("high", "push"), ("normal", "in_app"), ("low", "in_app")])
def test_channel_by_priority(priority: str, channel: str) -> None:
    assert rules.channel(priority) == channel


def test_every_type_has_a_text_and_support_text_names_the_user() -> None:
    for kind in ("live_chat_offer", "contextual_help", "helpful_resources", "gentle_guidance", "content_recommendation"):
        assert rules.text(kind)
    assert "u-1" in rules.support_text("u-1", "live_chat_offer")


def entry(n: int, at: int, status: str = "sent") -> dict[str, object]:
    return {"requestId": f"r{n}", "at": at, "status": status}


@pytest.mark.spec("executor-hourly-limit")
@pytest.mark.parametrize(
    ("history", "status"),
    [
        ([], "pending"),
        ([entry(1, NOW), entry(2, NOW - 1)], "pending"),
        ([entry(1, NOW), entry(2, NOW - 1), entry(3, NOW - HOUR_MS + 1)], "suppressed"),
        ([entry(1, NOW), entry(2, NOW - 1), entry(3, NOW - HOUR_MS)], "pending"),  # an hour old: out of the window
        ([entry(1, NOW), entry(2, NOW, "pending"), entry(3, NOW, "user_published")], "suppressed"),
        ([entry(1, NOW), entry(2, NOW), entry(3, NOW, "suppressed"), entry(4, NOW, "suppressed")], "pending"),
    ],
)
def test_three_per_hour(history: list[dict[str, object]], status: str) -> None:
    assert rules.initial_status(history, NOW) == status


@pytest.mark.spec("executor-history-50")
def test_history_keeps_the_last_50() -> None:
    history = [entry(n, NOW) for n in range(50)]
    grown = rules.appended(history, entry(50, NOW))
    assert len(grown) == 50 and grown[0]["requestId"] == "r1" and grown[-1]["requestId"] == "r50"


def test_find_and_status_change() -> None:
    history = [entry(1, NOW, "pending"), entry(2, NOW)]
    assert rules.find(history, "r1") == history[0]
    assert rules.find(history, "r9") is None
    assert rules.with_status(history, "r1", "sent") == [entry(1, NOW, "sent"), entry(2, NOW)]


@given(st.lists(st.integers(0, 5 * HOUR_MS), max_size=80))
def test_never_more_than_3_published_in_any_hour(offsets: list[int]) -> None:
    history: list = []
    for n, at in enumerate(sorted(NOW + o for o in offsets)):
        history = rules.appended(history, entry(n, at, rules.initial_status(history, at)))
        assert len(history) <= 50
    published = [int(e["at"]) for e in history if e["status"] != "suppressed"]
    for at in published:
        assert sum(1 for other in published if at <= other < at + HOUR_MS) <= 3
