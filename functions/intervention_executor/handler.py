"""Lambda entry of ``intervention-executor``: SQS ``interventions`` batches and the Bedrock
``intervention-engine`` action group (``POST /execute-intervention``, which executes)."""

from __future__ import annotations

from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict

from common.adapters import SNS, DynamoDB
from common.bedrock import BedrockActionRequest
from common.events import Identifier, Name
from common.messages import InterventionRequest, InterventionType, Priority, bedrock_request_id
from common.metrics import Counts
from common.settings import Settings
from common.sqs_batch import Idempotency, entry, now_ms, run_once
from intervention_executor import service

SETTINGS = Settings("intervention-executor")
DEPENDENCIES = service.Dependencies(SETTINGS, DynamoDB(), SNS(), now_ms)


class ExecuteIntervention(BaseModel):
    """``/execute-intervention`` arguments; Bedrock schemas carry no enum, so the values are checked here."""

    model_config = ConfigDict(extra="forbid")

    userId: Identifier
    interventionType: InterventionType
    priority: Priority = "normal"
    featureId: Name | None = None
    videoId: Name | None = None


def execute_intervention(
    deps: service.Dependencies, request: BedrockActionRequest, context: Any, idempotency: Idempotency, counts: Counts
) -> dict[str, Any]:
    args = ExecuteIntervention.model_validate(request.arguments())
    message = InterventionRequest(
        requestId=bedrock_request_id(request.sessionId, request.canonical_body()),
        sourceEventIds=[f"bedrock:{request.sessionId}"],
        **args.model_dump(exclude_none=True),
    )
    entry = run_once(message, partial(service.execute, deps), idempotency, context, counts)
    return {"requestId": message.requestId, "userId": message.userId, **entry}


def handle(event: dict, context: Any, deps: service.Dependencies, idempotency: Idempotency) -> dict:
    """Route one invocation (the testable entry: adapters and the idempotency store passed in)."""
    routes = {("POST", "/execute-intervention"): partial(execute_intervention, deps, context=context, idempotency=idempotency)}
    return entry(event, context, InterventionRequest, partial(service.execute, deps), routes, idempotency)


def handler(event: dict, context: Any) -> dict:
    return handle(event, context, DEPENDENCIES, Idempotency.lazy(SETTINGS, "intervention-executor"))
