"""The intervention executor's rules (spec section 4), free of I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

HOUR_MS = 3_600_000
PER_HOUR_LIMIT = 3
HISTORY_KEPT = 50
PRIORITIES = ("low", "normal", "high", "critical")
CHANNELS = {"critical": "push", "high": "push", "normal": "in_app", "low": "in_app"}
# Entries that were, or are about to be, published count against the hourly limit.
COUNTED = {"pending", "user_published", "sent"}
TEXTS = {
    "live_chat_offer": "Stuck? Someone from our team is ready to help you right now in live chat.",
    "contextual_help": "Here is a quick guide for the step you are on.",
    "helpful_resources": "These resources can help you get the most out of this feature.",
    "gentle_guidance": "Tip: try the next step from the menu on the left.",
    "content_recommendation": "Here is a shorter video on the same topic you might like.",
}
SUPPORT_TEXT = "Critical struggle: user {user_id} needs help ({intervention_type}); reach out now."


def channel(priority: str) -> str:
    return CHANNELS[priority]


def text(intervention_type: str) -> str:
    return TEXTS[intervention_type]


def support_text(user_id: str, intervention_type: str) -> str:
    return SUPPORT_TEXT.format(user_id=user_id, intervention_type=intervention_type)


def find(history: Sequence[Mapping[str, object]], request_id: str) -> Mapping[str, object] | None:
    return next((entry for entry in history if entry.get("requestId") == request_id), None)


def initial_status(history: Sequence[Mapping[str, object]], now_ms: int) -> str:
    """``pending`` while fewer than 3 interventions went out in the last hour, else ``suppressed``."""
    recent = sum(1 for e in history if e.get("status") in COUNTED and now_ms - int(e["at"]) < HOUR_MS)  # type: ignore[call-overload]
    return "pending" if recent < PER_HOUR_LIMIT else "suppressed"


def appended(history: Sequence[Mapping[str, object]], entry: Mapping[str, object]) -> list[Mapping[str, object]]:
    """History with ``entry`` last, the newest 50 kept."""
    return [*history, entry][-HISTORY_KEPT:]


def with_status(history: Sequence[Mapping[str, object]], request_id: str, status: str) -> list[Mapping[str, object]]:
    return [{**e, "status": status} if e.get("requestId") == request_id else e for e in history]
