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
from video_analyzer import service

SETTINGS = Settings("video-analyzer")
DEPENDENCIES = service.Dependencies(SETTINGS, DynamoDB(), SQS(), Timestream(), SageMakerRuntime(), now_ms)


class AnalyzeVideo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    userId: Identifier
    videoId: Name | None = None


def analyze_video(deps: service.Dependencies, request: BedrockActionRequest, counts: Counts) -> dict[str, Any]:
    args = AnalyzeVideo.model_validate(request.arguments())
    return service.user_summary(deps, args.userId, args.videoId, counts)


def handle(event: dict, context: Any, deps: service.Dependencies, idempotency: Idempotency) -> dict:
    """Route one invocation (the testable entry: adapters and the idempotency store passed in)."""
    return entry(
        event,
        context,
        VideoCandidate,
        lambda message, counts: service.analyze_view(deps, message, counts),
        lambda counts: {("POST", "/analyze-video"): lambda request: analyze_video(deps, request, counts)},
        idempotency,
    )


def handler(event: dict, context: Any) -> dict:
    return handle(event, context, DEPENDENCIES, Idempotency.lazy(SETTINGS, "video-analyzer"))
