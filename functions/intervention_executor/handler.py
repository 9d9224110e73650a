"""Lambda entry of ``intervention-executor``: SQS ``interventions`` batches and the Bedrock
``intervention-engine`` action group (``POST /execute-intervention``, which executes)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from common import observability
from common.adapters import SNS, DynamoDB
from common.bedrock import BedrockActionRequest, dispatch, is_bedrock_event
from common.events import Identifier, Name
from common.messages import InterventionRequest, InterventionType, Priority, bedrock_request_id
from common.metrics import Counts
from common.settings import Settings
from common.sqs_batch import Idempotency, now_ms, process_sqs, run_once
from intervention_executor import domain

SETTINGS = Settings("intervention-executor")
DEPS = domain.Deps(SETTINGS, DynamoDB(), SNS(), now_ms)


class ExecuteIntervention(BaseModel):
    """``/execute-intervention`` arguments; Bedrock schemas carry no enum, so the values are checked here."""

    model_config = ConfigDict(extra="forbid")

    userId: Identifier
    interventionType: InterventionType
    priority: Priority = "normal"
    featureId: Name | None = None
    videoId: Name | None = None


def execute_intervention(
    deps: domain.Deps, request: BedrockActionRequest, context: Any, idempotency: Idempotency, counts: Counts
) -> dict[str, Any]:
    args = ExecuteIntervention.model_validate(request.arguments())
    message = InterventionRequest(
        requestId=bedrock_request_id(request.sessionId, request.canonical_body()),
        sourceEventIds=[f"bedrock:{request.sessionId}"],
        **args.model_dump(exclude_none=True),
    )
    entry = run_once(message, lambda m, c: domain.execute(deps, m, c), idempotency, context, counts)
    return {"requestId": message.requestId, "userId": message.userId, **entry}


def handle(event: dict, context: Any, deps: domain.Deps, idempotency: Idempotency) -> dict:
    """Route one invocation (the testable entry: adapters and the idempotency store passed in)."""

    def work(event: dict, context: Any, counts: Counts) -> dict:
        if is_bedrock_event(event):
            routes = {("POST", "/execute-intervention"): lambda request: execute_intervention(deps, request, context, idempotency, counts)}
            return dispatch(event, routes, on_unexpected=observability.logger().exception)
        return process_sqs(
            event, context, InterventionRequest, lambda message, counts: domain.execute(deps, message, counts), idempotency, counts
        )

    return observability.run(work, event, context)


def handler(event: dict, context: Any) -> dict:
    return handle(event, context, DEPS, Idempotency.lazy(SETTINGS, "intervention-executor"))
