"""Video-engagement model: interest score, level, patterns and recommendations (spec sections 4, 5)."""

from __future__ import annotations

from collections.abc import Mapping

from common.scoring import ScoringInputError, instances, number

MODEL_VERSION = "video-engagement-1"
FULL_WATCH_MS = 300_000
LEVELS = ((80.0, "very_high"), (60.0, "high"), (40.0, "medium"))
RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    "very_high": ("suggest_advanced_content", "invite_to_community", "offer_certification"),
    "high": ("suggest_related_videos", "offer_learning_path"),
    "medium": ("suggest_shorter_videos", "highlight_key_moments"),
    "low": ("recommend_introductory_content", "offer_interactive_tutorial", "send_text_summary"),
}


def interest_score(total_watch_ms: float, max_completion_rate: float) -> float:
    """min(100, (maxCompletionRate x 0.7 + min(totalWatchMs / 300000, 1) x 0.3) x 100), 2 decimals."""
    return round(min(100.0, (max_completion_rate * 0.7 + min(total_watch_ms / FULL_WATCH_MS, 1.0) * 0.3) * 100), 2)


def engagement_level(score: float) -> str:
    return next((level for bound, level in LEVELS if score >= bound), "low")


def patterns(view_count: int, max_completion_rate: float) -> list[str]:
    found = ["repeat_viewer"] if view_count > 1 else []
    if max_completion_rate >= 0.9:
        found.append("completes_videos")
    elif max_completion_rate >= 0.5:
        found.append("partial_viewer")
    else:
        found.append("quick_browser")
    return found


def prediction(instance: Mapping[str, object], where: str = "instance") -> dict[str, object]:
    unknown = sorted(set(instance) - {"viewCount", "totalWatchMs", "maxCompletionRate"})
    if unknown:
        raise ScoringInputError(f"{where}: unknown field(s) {unknown}")
    views = number(instance.get("viewCount", 0), f"{where}.viewCount")
    watch_ms = number(instance.get("totalWatchMs", 0), f"{where}.totalWatchMs")
    completion = number(instance.get("maxCompletionRate", 0), f"{where}.maxCompletionRate")
    if completion > 1:
        raise ScoringInputError(f"{where}.maxCompletionRate: expected a value in [0, 1], got {completion!r}")
    if views != int(views):
        raise ScoringInputError(f"{where}.viewCount: expected an integer, got {views!r}")
    score = interest_score(watch_ms, completion)
    level = engagement_level(score)
    return {
        "interest_score": score,
        "level": level,
        "patterns": patterns(int(views), completion),
        "recommendations": list(RECOMMENDATIONS[level]),
    }


def predict(payload: object) -> dict[str, object]:
    items = instances(payload)
    return {"predictions": [prediction(item, f"instances[{i}]") for i, item in enumerate(items)], "model_version": MODEL_VERSION}
