"""Lambda entry of ``video-analyzer``: SQS ``video-analysis`` batches and the Bedrock
``video-intelligence`` action group (``POST /analyze-video``, read-only)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from common.adapters import SQS, DynamoDB, SageMakerRuntime, Timestream
from common.bedrock import BedrockActionRequest
from common.events import Identifier, Name
from common.messages import VideoCandidate
from common.metrics import Counts
from common.settings import Settings
from common.sqs_batch import Idempotency, entry, now_ms
from video_analyzer import domain

SETTINGS = Settings("video-analyzer")
DEPS = domain.Deps(SETTINGS, DynamoDB(), SQS(), Timestream(), SageMakerRuntime(), now_ms)


class AnalyzeVideo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    userId: Identifier
    videoId: Name | None = None


def analyze_video(deps: domain.Deps, request: BedrockActionRequest, counts: Counts) -> dict[str, Any]:
    args = AnalyzeVideo.model_validate(request.arguments())
    return domain.user_summary(deps, args.userId, args.videoId, counts)


def handle(event: dict, context: Any, deps: domain.Deps, idempotency: Idempotency) -> dict:
    """Route one invocation (the testable entry: adapters and the idempotency store passed in)."""
    return entry(
        event,
        context,
        VideoCandidate,
        lambda message, counts: domain.analyze_view(deps, message, counts),
        lambda counts: {("POST", "/analyze-video"): lambda request: analyze_video(deps, request, counts)},
        idempotency,
    )


def handler(event: dict, context: Any) -> dict:
    return handle(event, context, DEPS, Idempotency.lazy(SETTINGS, "video-analyzer"))
