"""Checks spanning the three SQS functions: the Lambda entry wiring and cheap imports."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from common.messages import InterventionRequest, StruggleCandidate, VideoCandidate
from tests.support.lambdas import bedrock_body, bedrock_event, lambda_context, sqs_event
from tests.support.sqs_functions import T0, Aws, environment

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
PACKAGES = ("struggle_detector", "video_analyzer", "intervention_executor")


@pytest.fixture
def aws(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Aws:
    """The functions' resources, named in the environment as Terraform names them for the Lambdas."""
    for name, value in environment(aws.queue_urls, aws.topic_arn).items():
        monkeypatch.setenv(name, value)
    return aws


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_a_handler_creates_no_client(package: str) -> None:
    """Cold start: boto3, Powertools' utilities and the settings wait for the first invocation."""
    code = (
        f"import sys; import {package}.handler as h; "
        "heavy = sorted(m for m in ('boto3', 'botocore', 'aws_lambda_powertools.utilities.batch', 'aws_lambda_powertools.utilities.idempotency') if m in sys.modules); "
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=FUNCTIONS, capture_output=True, text=True, check=False, env={"PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_struggle_detector_entry(aws: Aws) -> None:
    module = importlib.import_module("struggle_detector.handler")
    body = StruggleCandidate(
        requestId="struggle:e1",
        sourceEventIds=["e1"],
        userId="u-1",
        sessionId="s",
        featureId="f",
        attemptCount=2,
        eventType="form_error",
        detectedAt=T0,
    )
    module.DEPENDENCIES.sagemaker._client = aws.exit_endpoint  # the endpoint is faked at the adapter
    assert module.handler(sqs_event([body.model_dump_json()]), lambda_context()) == {"batchItemFailures": []}
    status, analysis = bedrock_body(
        module.handler(bedrock_event("struggle-detection", "/analyze-struggle", {"userId": ("string", "u-1")}), lambda_context())
    )
    assert status == 200 and analysis["priorSignals"] == 0  # the stored signal (at T0) is older than a day before now
    assert aws.exit_endpoint.calls == 2


def test_video_analyzer_entry(aws: Aws) -> None:
    module = importlib.import_module("video_analyzer.handler")
    body = VideoCandidate(requestId="video:e1", sourceEventIds=["e1"], userId="u-1", videoId="v", watchMs=1000, completionRate=0.5, at=T0)
    module.DEPENDENCIES.sagemaker._client = aws.video_endpoint
    assert module.handler(sqs_event([body.model_dump_json()]), lambda_context()) == {"batchItemFailures": []}
    status, summary = bedrock_body(
        module.handler(bedrock_event("video-intelligence", "/analyze-video", {"userId": ("string", "u-1")}), lambda_context())
    )
    assert status == 200 and summary["totalViews"] == 1


def test_intervention_executor_entry(aws: Aws) -> None:
    module = importlib.import_module("intervention_executor.handler")
    body = InterventionRequest(requestId="r1", sourceEventIds=["e1"], userId="u-1", interventionType="gentle_guidance", priority="low")
    assert module.handler(sqs_event([body.model_dump_json(exclude_none=True)]), lambda_context()) == {"batchItemFailures": []}
    item = aws.dynamodb.get_item(TableName="uja-user-profiles-test", Key={"userId": {"S": "u-1"}})["Item"]
    assert item["interventionHistory"]["L"][0]["M"]["status"] == {"S": "sent"}
    (record,) = aws.dynamodb.scan(TableName="uja-idempotency-test")["Items"]
    assert record["id"]["S"].startswith("intervention-executor#") and record["status"]["S"] == "COMPLETED"
    assert abs(int(record["expiration"]["N"]) - time.time() - 7 * 86_400) < 60  # records kept 7 days
