"""The two models' scoring code (spec section 5), pure Python and free of third-party imports.

It is at once the body of each SageMaker inference script (``sagemaker/<model>/inference.py``,
packaged with ``common/`` under ``code/``) and the handlers' in-process fallback when an endpoint
is unavailable, so both give the same answer for the same input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal


class ScoringInputError(ValueError):
    """A request the models cannot score; the message names the instance and the field."""


def number(value: object, where: str) -> float:
    """A finite, non-negative real number (Decimal from DynamoDB included), else ScoringInputError."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ScoringInputError(f"{where}: expected a number, got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result) or result < 0:
        raise ScoringInputError(f"{where}: expected a finite number >= 0, got {value!r}")
    return result


def instances(payload: object) -> list[Mapping[str, object]]:
    """The ``instances`` list of an endpoint request, each a JSON object."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("instances"), list):
        raise ScoringInputError('request: expected {"instances": [...]}')
    items = payload["instances"]
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ScoringInputError(f"instances[{i}]: expected an object, got {type(item).__name__}")
    return items


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
