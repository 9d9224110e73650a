"""Exit-risk model: 13 normalised, weighted features -> probability (spec section 5)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from common.scoring import ScoringInputError, clamp, instances, number

MODEL_VERSION = "exit-risk-linear-1"
THRESHOLD = 0.6


def _ratio(scale: float, cap: float) -> Callable[[float], float]:
    return lambda v: min(v / scale, cap)


# feature -> (weight, normalisation); the order is the spec's table.
FEATURES: dict[str, tuple[float, Callable[[float], float]]] = {
    "error_count": (0.20, _ratio(10, 1)),
    "retry_count": (0.15, _ratio(10, 1)),
    "help_requests": (0.30, _ratio(10, 1)),
    "session_duration": (-0.05, _ratio(300, 2)),
    "page_exits": (0.10, _ratio(10, 1)),
    "form_abandons": (0.25, _ratio(10, 1)),
    "click_frustration": (0.15, _ratio(10, 1)),
    "success_rate": (-0.40, lambda v: clamp(v, 0.0, 1.0)),
    "engagement_score": (-0.30, lambda v: clamp(v, 0.0, 100.0) / 100),
    "time_since_last_success": (0.10, _ratio(300, 2)),
    "session_count": (-0.05, lambda v: v),
    "unique_pages_visited": (-0.02, lambda v: v),
    "average_time_per_page": (0.02, _ratio(300, 2)),
}


def probability(features: Mapping[str, object], where: str = "instance") -> float:
    """p = clamp((sum(w x normalised v) + 1) / 2, 0, 1); missing features count as 0."""
    unknown = sorted(set(features) - FEATURES.keys())
    if unknown:
        raise ScoringInputError(f"{where}: unknown feature(s) {unknown}")
    total = 0.0
    for name, (weight, normalise) in FEATURES.items():
        value = number(features.get(name, 0), f"{where}.{name}")
        total += weight * normalise(value)
    return clamp((total + 1) / 2, 0.0, 1.0)


def prediction(features: Mapping[str, object], where: str = "instance") -> dict[str, float | int]:
    p = probability(features, where)
    return {"probability": p, "label": int(p > THRESHOLD), "risk_score": p * 100}


def predict(payload: object) -> dict[str, object]:
    """The endpoint contract: {"instances": [...]} -> {"predictions": [...], "model_version": ...}."""
    items = instances(payload)
    return {"predictions": [prediction(item, f"instances[{i}]") for i, item in enumerate(items)], "model_version": MODEL_VERSION}
