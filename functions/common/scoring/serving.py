"""The SageMaker inference scripts' hooks (the scikit-learn container's): JSON in and out, and the
model and prediction of a scoring module."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType

from common.scoring import ScoringInputError

JSON = "application/json"


def input_fn(request_body: str | bytes, request_content_type: str) -> object:
    if request_content_type.split(";")[0].strip() != JSON:
        raise ScoringInputError(f"content type {request_content_type!r} is not supported; send {JSON}")
    try:
        return json.loads(request_body)
    except ValueError as exc:
        raise ScoringInputError(f"request body is not JSON: {exc}") from exc


def output_fn(prediction: dict[str, object], accept: str) -> tuple[str, str]:
    if accept and accept.split(";")[0].strip() not in (JSON, "*/*"):
        raise ScoringInputError(f"accept {accept!r} is not supported; ask for {JSON}")
    return json.dumps(prediction), JSON


def model_hooks(scoring: ModuleType) -> tuple[Callable[[str], str], Callable[[object, str], dict[str, object]]]:
    """``model_fn`` and ``predict_fn`` for a scoring module (``MODEL_VERSION``, ``predict``)."""

    def model_fn(model_dir: str) -> str:
        """The model is code, not fitted weights: nothing to load from model_dir."""
        return scoring.MODEL_VERSION

    def predict_fn(input_data: object, model: str) -> dict[str, object]:
        return scoring.predict(input_data)

    return model_fn, predict_fn
