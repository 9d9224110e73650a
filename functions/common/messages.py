"""Message contracts between the functions (spec section 4, "Messages").

Every message carries ``schemaVersion`` 1, a deterministic ``requestId`` (the consumers'
idempotency key, so a redelivered source produces the same id) and the ``sourceEventIds`` it came
from. ``python -m common.contracts`` writes their JSON Schemas into docs/contracts/.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.events import EpochMillis, EventType, Identifier, Name

InterventionType = Literal["live_chat_offer", "contextual_help", "helpful_resources", "gentle_guidance", "content_recommendation"]
Priority = Literal["critical", "high", "normal", "low"]
Channel = Literal["push", "in_app"]
Audience = Literal["user", "support"]
Rate = Annotated[float, Field(ge=0, le=1)]
Score = Annotated[float, Field(ge=0, le=100)]
RequestId = Annotated[str, Field(min_length=1, max_length=512)]
EventIds = Annotated[list[str], Field(min_length=1)]
UNKNOWN_FEATURE = "unknown"


class Message(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True, defer_build=True)

    schemaVersion: Literal[1] = 1
    requestId: RequestId
    sourceEventIds: EventIds


class StruggleCandidate(Message):
    """event-processor -> struggle-detector."""

    userId: Identifier
    sessionId: Identifier
    featureId: Name  # eventData.feature, or UNKNOWN_FEATURE
    attemptCount: Annotated[int, Field(ge=1, le=1000)] = 1
    eventType: EventType
    detectedAt: EpochMillis


class VideoCandidate(Message):
    """event-processor -> video-analyzer."""

    userId: Identifier
    videoId: Name
    watchMs: Annotated[int, Field(ge=0)] = 0
    completionRate: Rate = 0.0
    at: EpochMillis


class InterventionRequest(Message):
    """struggle-detector, video-analyzer or the Bedrock intervention-engine -> intervention-executor."""

    userId: Identifier
    interventionType: InterventionType
    priority: Priority
    featureId: str | None = None
    videoId: str | None = None
    riskScore: Score | None = None

    @model_validator(mode="after")
    def _one_subject(self) -> InterventionRequest:
        if self.featureId is not None and self.videoId is not None:
            raise ValueError("an intervention names a featureId or a videoId, not both")
        return self


class InterventionNotification(BaseModel):
    """The ``user-interventions`` SNS message; ``audience`` is also sent as a message attribute."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True, defer_build=True)

    schemaVersion: Literal[1] = 1
    requestId: RequestId
    userId: Identifier
    interventionType: InterventionType
    priority: Priority
    channel: Channel
    text: Annotated[str, Field(min_length=1, max_length=4096)]
    at: EpochMillis
    audience: Audience

    def sns_attributes(self) -> dict[str, dict[str, str]]:
        return {"audience": {"DataType": "String", "StringValue": self.audience}}


CONTRACTS: tuple[type[BaseModel], ...] = (StruggleCandidate, VideoCandidate, InterventionRequest, InterventionNotification)


def struggle_request_id(event_id: str) -> str:
    return f"struggle:{event_id}"


def video_candidate_request_id(event_id: str) -> str:
    return f"video:{event_id}"


def struggle_intervention_request_id(user_id: str, feature_id: str, cooldown_start_ms: int) -> str:
    return f"intervene:{user_id}:{feature_id}:{cooldown_start_ms}"


def video_intervention_request_id(user_id: str, video_id: str) -> str:
    return f"video:{user_id}:{video_id}"


def bedrock_request_id(session_id: str, request_body: bytes | str) -> str:
    body = request_body.encode() if isinstance(request_body, str) else request_body
    return f"bedrock:{session_id}:{hashlib.sha256(body).hexdigest()}"
