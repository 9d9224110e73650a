"""JSON in and out for the SageMaker inference scripts (the scikit-learn container's handler hooks)."""

from __future__ import annotations

import json

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
