"""Lambda entry of ``struggle-detector``: SQS ``struggle-signals`` batches and the Bedrock
``struggle-detection`` action group (``POST /analyze-struggle``, read-only)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from common.bedrock import BedrockActionRequest
from common.events import Identifier, Name
from common.messages import UNKNOWN_FEATURE, StruggleCandidate
from common.metrics import Counts
from common.sqs_batch import Idempotency, entry, now_ms
from struggle_detector import service

DEPENDENCIES = service.Dependencies.of("struggle-detector", now_ms)


class AnalyzeStruggle(BaseModel):
    """``/analyze-struggle`` arguments; ranges are enforced here (Bedrock schemas carry no enum or bounds)."""

    model_config = ConfigDict(extra="forbid")

    userId: Identifier
    featureId: Name = UNKNOWN_FEATURE
    attemptCount: Annotated[int, Field(ge=1, le=1000)] = 1


def analyze_struggle(deps: service.Dependencies, request: BedrockActionRequest, counts: Counts) -> dict[str, Any]:
    args = AnalyzeStruggle.model_validate(request.arguments())
    at = deps.clock()
    analysis = service.analyze(deps, args.userId, args.featureId, args.attemptCount, at, None, counts)
    return {"userId": args.userId, "featureId": args.featureId, "attemptCount": args.attemptCount, "analyzedAt": at, **analysis.as_dict()}


def handle(event: dict, context: Any, deps: service.Dependencies, idempotency: Idempotency) -> dict:
    """Route one invocation (the testable entry: adapters and the idempotency store passed in)."""
    routes = {("POST", "/analyze-struggle"): partial(analyze_struggle, deps)}
    return entry(event, context, StruggleCandidate, partial(service.detect, deps), routes, idempotency)


def handler(event: dict, context: Any) -> dict:
    return handle(event, context, DEPENDENCIES, Idempotency.lazy(DEPENDENCIES.settings, "struggle-detector"))
