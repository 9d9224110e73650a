"""The Bedrock agent action-group envelope: the request model and the response builder.

Bedrock calls a Lambda action group with ``messageVersion``, ``agent``, ``sessionId``,
``actionGroup``, ``apiPath``, ``httpMethod``, ``parameters[]`` and ``requestBody`` and expects
``{"messageVersion": "1.0", "response": {..., "responseBody": {"application/json": {"body": "<json>"}}}}``.
Errors are answered in the same shape with a 4xx (or 500) status and a message body, never a trace.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

RESPONSE_VERSION = "1.0"
_CASTS: dict[str, Callable[[str], Any]] = {"integer": int, "number": float, "boolean": lambda v: v.strip().lower() == "true", "string": str}


class Parameter(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    type: str = "string"
    value: Any = None


class Agent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = ""
    id: str = ""
    alias: str = ""
    version: str = ""


class BedrockActionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    messageVersion: str
    agent: Agent = Field(default_factory=Agent)
    sessionId: str
    actionGroup: str
    apiPath: str
    httpMethod: str
    parameters: list[Parameter] = Field(default_factory=list)
    requestBody: dict[str, Any] | None = None
    inputText: str = ""
    sessionAttributes: dict[str, str] = Field(default_factory=dict)
    promptSessionAttributes: dict[str, str] = Field(default_factory=dict)

    def body_properties(self) -> list[Parameter]:
        """The ``requestBody.content."application/json".properties`` list (empty when absent)."""
        content = (self.requestBody or {}).get("content", {}).get("application/json", {})
        return [Parameter.model_validate(p) for p in content.get("properties", [])]

    def arguments(self) -> dict[str, Any]:
        """Parameters and body properties by name, cast by their declared type; BedrockError(400) when one does not cast."""
        out: dict[str, Any] = {}
        for param in [*self.parameters, *self.body_properties()]:
            cast = _CASTS.get(param.type, str)
            try:
                out[param.name] = None if param.value is None else cast(str(param.value))
            except ValueError:
                raise BedrockError(400, f"parameter {param.name!r} is not a valid {param.type}: {param.value!r}") from None
        return out

    def canonical_body(self) -> str:
        """The arguments as sorted JSON: the input of the deterministic ``bedrock:`` requestId."""
        return json.dumps(self.arguments(), sort_keys=True, separators=(",", ":"))


class BedrockError(Exception):
    """An error answered to the agent with ``status`` and ``message`` (no trace)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_bedrock_event(event: Any) -> bool:
    return isinstance(event, dict) and "actionGroup" in event and "apiPath" in event and "messageVersion" in event


def response(event: dict | BedrockActionRequest, status: int, body: Any) -> dict:
    """The action-group response; ``body`` is serialised to the JSON string Bedrock expects."""
    source = event.model_dump() if isinstance(event, BedrockActionRequest) else event
    return {
        "messageVersion": RESPONSE_VERSION,
        "response": {
            "actionGroup": source.get("actionGroup", ""),
            "apiPath": source.get("apiPath", ""),
            "httpMethod": source.get("httpMethod", ""),
            "httpStatusCode": status,
            "responseBody": {"application/json": {"body": json.dumps(body, sort_keys=True, default=str)}},
        },
    }


def error_response(event: dict | BedrockActionRequest, status: int, message: str) -> dict:
    return response(event, status, {"error": message})


Route = Callable[[BedrockActionRequest], Any]


def dispatch(event: dict, routes: dict[tuple[str, str], Route], on_unexpected: Callable[[Exception], None] | None = None) -> dict:
    """Parse the request, call the route for (httpMethod, apiPath) and wrap its result.

    Bad requests and ``BedrockError`` become 4xx answers; any other exception is passed to
    ``on_unexpected`` (to log it) and answered as 500 without details.
    """
    try:
        request = BedrockActionRequest.model_validate(event)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors(include_url=False))
        return error_response(event, 400, f"malformed action-group request: {fields}")
    route = routes.get((request.httpMethod.upper(), request.apiPath))
    if route is None:
        return error_response(request, 404, f"no operation {request.httpMethod} {request.apiPath}")
    try:
        return response(request, 200, route(request))
    except BedrockError as exc:
        return error_response(request, exc.status, exc.message)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False, include_input=False)
        )
        return error_response(request, 400, problems)
    except Exception as exc:
        if on_unexpected is not None:
            on_unexpected(exc)
        return error_response(request, 500, "internal error")
