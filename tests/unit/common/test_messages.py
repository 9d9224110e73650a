from __future__ import annotations

import hashlib

import pytest
from pydantic import ValidationError

from common.messages import (
    InterventionNotification,
    InterventionRequest,
    StruggleCandidate,
    VideoCandidate,
    bedrock_request_id,
    struggle_intervention_request_id,
    video_intervention_request_id,
)

EID = "6f9619ff-8b86-d011-b42d-00c04fc964ff"


@pytest.mark.spec("message-schema-version")
@pytest.mark.spec("struggle-candidate-fields")
def test_struggle_candidate_defaults_and_round_trip() -> None:
    body = f'{{"requestId": "struggle:{EID}", "sourceEventIds": ["{EID}"], "userId": "u", "sessionId": "s", "featureId": "unknown", "eventType": "form_error", "detectedAt": 5}}'
    message = StruggleCandidate.model_validate_json(body)
    assert (message.schemaVersion, message.attemptCount) == (1, 1)
    assert StruggleCandidate.model_validate_json(message.model_dump_json()) == message


@pytest.mark.spec("message-schema-version")
@pytest.mark.parametrize(
    "changes",
    [{"schemaVersion": 2}, {"sourceEventIds": []}, {"requestId": ""}, {"completionRate": 1.5}, {"watchMs": -1}, {"surprise": 1}],
)
def test_video_candidate_rejects(changes: dict) -> None:
    values = {"requestId": "video:x", "sourceEventIds": ["x"], "userId": "u", "videoId": "v", "watchMs": 10, "completionRate": 0.5, "at": 1}
    assert VideoCandidate.model_validate(values).watchMs == 10
    with pytest.raises(ValidationError):
        VideoCandidate.model_validate(values | changes)


@pytest.mark.spec("intervention-request-priorities")
def test_intervention_request_names_one_subject() -> None:
    values = {"requestId": "r", "sourceEventIds": ["e"], "userId": "u", "interventionType": "contextual_help", "priority": "high"}
    assert InterventionRequest.model_validate(values | {"featureId": "f", "riskScore": 70}).riskScore == 70
    with pytest.raises(ValidationError, match="not both"):
        InterventionRequest.model_validate(values | {"featureId": "f", "videoId": "v"})
    with pytest.raises(ValidationError):
        InterventionRequest.model_validate(values | {"priority": "urgent"})


@pytest.mark.spec("notification-audience")
def test_notification_attributes() -> None:
    note = InterventionNotification(
        requestId="r",
        userId="u",
        interventionType="live_chat_offer",
        priority="critical",
        channel="push",
        text="Need help?",
        at=1,
        audience="support",
    )
    assert note.sns_attributes() == {"audience": {"DataType": "String", "StringValue": "support"}}


@pytest.mark.spec("intervention-request-id-struggle")
@pytest.mark.spec("intervention-request-id-video")
def test_request_ids_are_deterministic() -> None:
    assert struggle_intervention_request_id("u", "f", 1700000000000) == "intervene:u:f:1700000000000"
    assert video_intervention_request_id("u", "v") == "video:u:v"
    body = '{"userId":"u"}'
    assert bedrock_request_id("sess", body) == f"bedrock:sess:{hashlib.sha256(body.encode()).hexdigest()}"
    assert bedrock_request_id("sess", body.encode()) == bedrock_request_id("sess", body)
