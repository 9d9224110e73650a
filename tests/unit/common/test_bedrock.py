from __future__ import annotations

import json

import pytest

from common.bedrock import BedrockActionRequest, BedrockError, dispatch, error_response, is_bedrock_event, response


def request(**changes: object) -> dict:
    base = {
        "messageVersion": "1.0",
        "agent": {"name": "uja-agent-dev", "id": "A1", "alias": "live", "version": "1"},
        "sessionId": "sess-1",
        "actionGroup": "struggle-detection",
        "apiPath": "/analyze-struggle",
        "httpMethod": "POST",
        "parameters": [{"name": "userId", "type": "string", "value": "u-1"}],
        "requestBody": {
            "content": {
                "application/json": {
                    "properties": [
                        {"name": "attemptCount", "type": "integer", "value": "3"},
                        {"name": "urgent", "type": "boolean", "value": "TRUE"},
                    ]
                }
            }
        },
    }
    return base | changes


def body(answer: dict) -> object:
    return json.loads(answer["response"]["responseBody"]["application/json"]["body"])


@pytest.mark.spec("bedrock-request-envelope")
def test_arguments_cast_by_declared_type() -> None:
    parsed = BedrockActionRequest.model_validate(request())
    assert parsed.arguments() == {"userId": "u-1", "attemptCount": 3, "urgent": True}
    assert parsed.canonical_body() == '{"attemptCount":3,"urgent":true,"userId":"u-1"}'


@pytest.mark.spec("bedrock-response-version")
@pytest.mark.spec("bedrock-response-shape")
def test_response_shape() -> None:
    answer = response(request(), 200, {"score": 42})
    assert set(answer) == {"messageVersion", "response"}
    assert set(answer["response"]) == {"actionGroup", "apiPath", "httpMethod", "httpStatusCode", "responseBody"}
    assert answer["messageVersion"] == "1.0"
    assert {k: answer["response"][k] for k in ("actionGroup", "apiPath", "httpMethod", "httpStatusCode")} == {
        "actionGroup": "struggle-detection",
        "apiPath": "/analyze-struggle",
        "httpMethod": "POST",
        "httpStatusCode": 200,
    }
    assert isinstance(answer["response"]["responseBody"]["application/json"]["body"], str)
    assert body(answer) == {"score": 42}
    assert body(error_response(request(), 404, "nope")) == {"error": "nope"}


def test_dispatch_routes_and_answers() -> None:
    routes = {("POST", "/analyze-struggle"): lambda req: {"user": req.arguments()["userId"]}}
    answer = dispatch(request(), routes)
    assert answer["response"]["httpStatusCode"] == 200 and body(answer) == {"user": "u-1"}
    missing = dispatch(request(apiPath="/other"), routes)
    assert missing["response"]["httpStatusCode"] == 404


def test_bad_input_is_a_4xx_with_a_message() -> None:
    def route(req: BedrockActionRequest) -> dict:
        req.arguments()
        raise BedrockError(422, "priority must be one of low, normal, high, critical")

    bad_int = request(parameters=[{"name": "attemptCount", "type": "integer", "value": "many"}])
    answer = dispatch(bad_int, {("POST", "/analyze-struggle"): route})
    assert answer["response"]["httpStatusCode"] == 400 and "attemptCount" in body(answer)["error"]
    answer = dispatch(request(), {("POST", "/analyze-struggle"): route})
    assert answer["response"]["httpStatusCode"] == 422 and "priority" in body(answer)["error"]
    malformed = {k: v for k, v in request().items() if k != "sessionId"}
    answer = dispatch(malformed, {})
    assert answer["response"]["httpStatusCode"] == 400 and "sessionId" in body(answer)["error"]


def test_unexpected_errors_leak_no_trace() -> None:
    seen: list[Exception] = []

    def broken(req: BedrockActionRequest) -> dict:
        raise RuntimeError("secret internals")

    answer = dispatch(request(), {("POST", "/analyze-struggle"): broken}, on_unexpected=seen.append)
    assert answer["response"]["httpStatusCode"] == 500
    assert body(answer) == {"error": "internal error"}
    assert "secret" not in json.dumps(answer) and "Traceback" not in json.dumps(answer)
    assert isinstance(seen[0], RuntimeError)


@pytest.mark.parametrize(("event", "expected"), [(request(), True), ({"Records": []}, False), ([], False)])
def test_is_bedrock_event(event: object, expected: bool) -> None:
    assert is_bedrock_event(event) is expected
