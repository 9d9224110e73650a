"""What a Lambda handler gets and gives in the tests: its context, SQS and Bedrock agent events, the
Bedrock answer's body and the EMF metrics it printed."""

from __future__ import annotations

import json

from journey_guard.ephemeral.emulator import FunctionSpec, LambdaContext
from tests.support.moto_world import ACCOUNT_ID, REGION


def lambda_context(function: str = "test") -> LambdaContext:
    """The one fake Lambda context: the event-source emulator's, for a function of the tests' account."""
    spec = FunctionSpec(name=function, handler=f"{function}.handler.handler", environment={}, timeout_s=30)
    return LambdaContext(spec, REGION, ACCOUNT_ID)


def sqs_event(bodies: list[str]) -> dict:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"rh{i}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "0",
                    "SenderId": "x",
                    "ApproximateFirstReceiveTimestamp": "0",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:q",
                "awsRegion": REGION,
            }
            for i, body in enumerate(bodies)
        ]
    }


def bedrock_event(action_group: str, api_path: str, properties: dict[str, tuple[str, object]], session: str = "sess-1") -> dict:
    return {
        "messageVersion": "1.0",
        "agent": {"name": "uja-agent-test", "id": "A", "alias": "live", "version": "1"},
        "sessionId": session,
        "actionGroup": action_group,
        "apiPath": api_path,
        "httpMethod": "POST",
        "parameters": [],
        "requestBody": {
            "content": {"application/json": {"properties": [{"name": k, "type": t, "value": v} for k, (t, v) in properties.items()]}}
        },
    }


def bedrock_body(answer: dict) -> tuple[int, dict]:
    response = answer["response"]
    return response["httpStatusCode"], json.loads(response["responseBody"]["application/json"]["body"])


def emf_documents(output: str) -> list[dict]:
    """The CloudWatch EMF documents in what a handler printed (Powertools Metrics writes them to stdout)."""
    lines = (line for line in output.splitlines() if line.startswith("{") and "_aws" in line)
    return [doc for doc in map(json.loads, lines) if "_aws" in doc]


def emf_metrics(output: str) -> dict[str, float]:
    """Metric values from the EMF documents a handler printed."""
    found: dict[str, float] = {}
    for doc in emf_documents(output):
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = doc[metric["Name"]]
                found[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return found
