"""The struggle detector's business rules (spec section 4), free of I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from common.scoring.exit_risk import THRESHOLD as EXIT_RISK_THRESHOLD

DAY_MS = 86_400_000
COOLDOWN_MS = 30 * 60 * 1000
LEVELS = ("low", "medium", "high", "critical")
SEVERITY_AT = ((5, "critical"), (3, "high"), (2, "medium"))  # attempts
LEVEL_AT = ((80, "critical"), (60, "high"), (40, "medium"))  # risk score
SEVERITY_POINTS = {"critical": 15, "high": 10, "medium": 5, "low": 0}
INTERVENTIONS = {"critical": ("live_chat_offer", "critical"), "high": ("contextual_help", "high")}
BASE_SUCCESS = {"critical": 60, "high": 75, "medium": 85, "low": 95}
CATALOGUE: dict[str, dict[str, tuple[str, ...]]] = {
    "critical": {
        "immediate": ("offer_live_chat", "show_step_by_step_walkthrough"),
        "follow_up": ("schedule_success_call", "send_personal_email_from_support"),
    },
    "high": {
        "immediate": ("show_contextual_help", "highlight_next_step"),
        "follow_up": ("send_tutorial_email", "suggest_help_article"),
    },
    "medium": {
        "immediate": ("show_tooltip", "offer_helpful_resources"),
        "follow_up": ("add_to_onboarding_nudges",),
    },
    "low": {
        "immediate": ("show_gentle_guidance",),
        "follow_up": ("monitor_progress",),
    },
}


def _grade(value: float, thresholds: tuple[tuple[int, str], ...]) -> str:
    """The name of the first threshold ``value`` reaches (highest first), else ``low``."""
    return next((name for at, name in thresholds if value >= at), "low")


def severity(attempts: int) -> str:
    return _grade(attempts, SEVERITY_AT)


def prior_signals(items: Iterable[Mapping[str, object]], signal_key: str, detected_at: int) -> list[Mapping[str, object]]:
    """Stored signals of the user in the 24 h before ``detected_at``: not this one, no cooldown items.

    "Before" is strict (``detectedAt < detected_at``), so two signals of the same millisecond never
    count each other and the score does not depend on which was processed first.
    """
    return [
        item
        for item in items
        if item.get("itemType") == "signal"
        and item.get("signalKey") != signal_key
        and detected_at - DAY_MS <= int(item["detectedAt"]) < detected_at  # type: ignore[call-overload]
    ]


def risk_score(attempts: int, prior_severities: Iterable[str]) -> int:
    """min(attempts x 10, 50) + min(S x 5, 30) + 15/10/5 per critical/high/medium prior signal, capped at 100."""
    severities = list(prior_severities)
    points = sum(SEVERITY_POINTS[s] for s in severities)
    return min(100, min(attempts * 10, 50) + min(len(severities) * 5, 30) + points)


def risk_level(score: float) -> str:
    return _grade(score, LEVEL_AT)


def stepped_level(level: str, exit_probability: float) -> str:
    """An exit-risk probability above the model's threshold raises the level one step (at most critical)."""
    if exit_probability > EXIT_RISK_THRESHOLD:
        return LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]
    return level


def success_probability(level: str, attempts: int) -> int:
    """max(base - (attempts - 1) x 5, 30) percent."""
    return max(BASE_SUCCESS[level] - (attempts - 1) * 5, 30)


def recommendations(level: str, attempts: int) -> dict[str, object]:
    entry = CATALOGUE[level]
    return {
        "immediate": list(entry["immediate"]),
        "followUp": list(entry["follow_up"]),
        "successProbability": success_probability(level, attempts),
    }


def intervention(level: str) -> tuple[str, str] | None:
    """(interventionType, priority) for levels that warrant one, else None."""
    return INTERVENTIONS.get(level)


def cooldown_key(feature_id: str) -> str:
    return f"cooldown#{feature_id}"


def signal_key(feature_id: str, detected_at: int, event_id: str) -> str:
    return f"{feature_id}#{detected_at}#{event_id}"
