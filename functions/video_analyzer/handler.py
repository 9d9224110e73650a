"""Lambda entry of ``video-analyzer``: SQS ``video-analysis`` batches and the Bedrock
``video-intelligence`` action group (``POST /analyze-video``, read-only)."""

from __future__ import annotations

from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict

from common.bedrock import BedrockActionRequest
from common.events import Identifier, Name
from common.messages import VideoCandidate
from common.metrics import Counts
from common.sqs_batch import Idempotency, entry, now_ms
from video_analyzer import service

DEPENDENCIES = service.Dependencies.of("video-analyzer", now_ms)


class AnalyzeVideo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    userId: Identifier
    videoId: Name | None = None


def analyze_video(deps: service.Dependencies, request: BedrockActionRequest, counts: Counts) -> dict[str, Any]:
    args = AnalyzeVideo.model_validate(request.arguments())
    return service.user_summary(deps, args.userId, args.videoId, counts)


def handle(event: dict, context: Any, deps: service.Dependencies, idempotency: Idempotency) -> dict:
    """Route one invocation (the testable entry: adapters and the idempotency store passed in)."""
    routes = {("POST", "/analyze-video"): partial(analyze_video, deps)}
    return entry(event, context, VideoCandidate, partial(service.analyze_view, deps), routes, idempotency)


def handler(event: dict, context: Any) -> dict:
    return handle(event, context, DEPENDENCIES, Idempotency.lazy(DEPENDENCIES.settings, "video-analyzer"))
