"""The user event (spec section 4): what producers put on the stream, validated once at the edge.

Models are plain pydantic v2 models (what Powertools' parser uses), strict so that a string is not
silently taken for a number. Validity is relative to the record's arrival time, passed in the
validation context, so the same record gets the same verdict on every delivery.
"""

from __future__ import annotations

import binascii
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

MAX_EVENT_BYTES = 256 * 1024
MAX_PAST_MS = 7 * 24 * 3600 * 1000
MAX_FUTURE_MS = 5 * 60 * 1000
MAX_MS = 10**12  # durations and offsets: ~31 years in ms, far inside DynamoDB's number range
_TEXT = 2048

EventType = Literal[
    "page_view",
    "video_engagement",
    "video_complete",
    "feature_interaction",
    "struggle_signal",
    "form_error",
    "pricing_page_view",
    "checkout_abandon",
    "user_action",
    "error_event",
]
VIDEO_EVENT_TYPES = frozenset({"video_engagement", "video_complete"})
ERROR_EVENT_TYPES = frozenset({"form_error", "error_event"})
UserSegment = Literal["new_user", "active_user", "engaged_user", "at_risk", "churned", "default"]
Platform = Literal["iOS", "Android", "Web"]

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,200}$")]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]
Text = Annotated[str, Field(max_length=_TEXT)]
Millis = Annotated[float, Field(ge=0, le=MAX_MS)]
EpochMillis = Annotated[int, Field(ge=0, le=9_999_999_999_999)]  # 13 digits: the eventKey prefix


class _Strict(BaseModel):
    # extra="allow": unknown fields are kept (and stored under `extra`), never a reason to reject.
    model_config = ConfigDict(strict=True, extra="allow", allow_inf_nan=False, frozen=True, defer_build=True)


class EventData(_Strict):
    feature: Name | None = None
    videoId: Name | None = None
    page: Text | None = None
    action: Text | None = None  # help, exit, rage_click, abandon, or free text
    success: bool | None = None
    duration: Millis | None = None
    completionRate: Annotated[float, Field(ge=0, le=1)] | None = None
    attemptCount: Annotated[int, Field(ge=1, le=1000)] | None = None
    errorType: Text | None = None
    pausePoints: list[Millis] | None = None  # offsets into the video, ms
    skipSegments: list[tuple[Millis, Millis]] | None = None  # [from, to] offsets, ms
    playbackSpeed: Annotated[float, Field(gt=0, le=16)] | None = None


class DeviceInfo(_Strict):
    platform: Platform | None = None
    appVersion: Text | None = None
    deviceModel: Text | None = None


class UserContext(_Strict):
    userSegment: UserSegment | None = None
    sessionStage: Text | None = None
    previousActions: list[Text] | None = None


class UserEvent(_Strict):
    eventId: Annotated[str, Field(pattern=UUID_PATTERN)]
    userId: Identifier
    sessionId: Identifier
    eventType: EventType
    timestamp: EpochMillis
    eventData: EventData | None = None
    deviceInfo: DeviceInfo | None = None
    userContext: UserContext | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> UserEvent:
        arrival = (info.context or {}).get("arrival_ms")
        if not isinstance(arrival, int):
            raise ValueError("validation needs the record's arrival time (context arrival_ms)")
        if not arrival - MAX_PAST_MS <= self.timestamp <= arrival + MAX_FUTURE_MS:
            raise ValueError(f"timestamp {self.timestamp} is outside [arrival - 7 days, arrival + 5 minutes] of arrival {arrival}")
        if self.eventType in VIDEO_EVENT_TYPES and (self.eventData is None or self.eventData.videoId is None):
            raise ValueError(f"eventData.videoId is required for {self.eventType}")
        return self

    @property
    def event_id(self) -> str:
        """The canonical (lower-case, hyphenated) eventId, used in keys and requestIds."""
        return self.eventId.lower()

    @property
    def platform(self) -> str:
        return (self.deviceInfo and self.deviceInfo.platform) or "unknown"

    def extra(self) -> dict[str, Any]:
        """Unknown fields: top-level ones by name, nested ones under their parent's name."""
        # __pydantic_extra__ rather than the model_extra property: this runs for every stored event.
        out: dict[str, Any] = dict(self.__pydantic_extra__ or ())
        for name, part in (("eventData", self.eventData), ("deviceInfo", self.deviceInfo), ("userContext", self.userContext)):
            if part is not None and part.__pydantic_extra__:
                out[name] = dict(part.__pydantic_extra__)
        return out


class InvalidEvent(ValueError):
    """A permanently invalid record: quarantined, never retried. ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _describe(exc: ValidationError, limit: int = 5) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    if errors and errors[0]["type"] == "json_invalid":
        return f"bad JSON: {errors[0]['msg']}"
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<event>'}: {e['msg']}" for e in errors[:limit]]
    more = f" (+{len(errors) - limit} more)" if len(errors) > limit else ""
    return "invalid event: " + "; ".join(parts) + more


def parse_event(raw: bytes, arrival_ms: int) -> UserEvent:
    """Validate the decoded bytes of one record; InvalidEvent names the problem."""
    if len(raw) > MAX_EVENT_BYTES:
        raise InvalidEvent(f"oversized: {len(raw)} bytes > {MAX_EVENT_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEvent(f"bad UTF-8 at byte {exc.start}") from None
    try:
        # The validator itself, not model_validate_json: that wrapper's argument checks cost ~1 us per
        # record (measured), a sixth of validating one. A deferred build happens on this first access.
        return UserEvent.__pydantic_validator__.validate_json(text, context={"arrival_ms": arrival_ms})
    except ValidationError as exc:
        raise InvalidEvent(_describe(exc)) from None


def decode_data(data: str) -> bytes:
    """The bytes of a Kinesis record's base64 ``data``; InvalidEvent when it is not base64."""
    try:
        return binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidEvent(f"bad base64: {exc}") from None
