"""Least privilege for real, where moto's access control checks resources (SQS, SNS, Kinesis).

With enforcement on (``/moto-api/reset-auth``), each function's applied role policies are used
for one call they allow and one they do not. moto decides; there is no evaluator of ours.
A test principal cannot assume the roles (they trust only lambda.amazonaws.com, and moto 5.2
raises a TypeError checking a Service-only trust policy against a user), so each function gets a
test user carrying exactly its role's inline policies, read back from IAM after apply.
Resource-level IAM for the other services stays proven by the plan tests (docs/integration.md,
coverage table). Enforcement is switched off again before destroy, and the test users deleted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import Cycle

FUNCTIONS = ("event-processor", "struggle-detector", "intervention-executor")
DENIED = {"AccessDenied", "AccessDeniedException", "AuthorizationError"}


@pytest.fixture(scope="module")
def enforced(cycle: Cycle) -> Iterator[dict[str, boto3.Session]]:
    """One session per function carrying its role's policies, with moto's access control on."""
    if cycle.server is None:
        pytest.fail("least-privilege checks need the moto target (on AWS, IAM itself enforces)")
    iam = cycle.account.client("iam")
    users: list[tuple[str, list[str], str]] = []
    sessions = {}
    try:
        for function in FUNCTIONS:
            role, user = f"uja-{function}-{cycle.deployment.qualifier}", f"uja-it-{function}-{cycle.account.name_suffix}"
            iam.create_user(UserName=user)
            names = iam.list_role_policies(RoleName=role)["PolicyNames"]
            users.append((user, names, ""))
            assert names, f"role {role} has no inline policies to test"
            for name in names:
                document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=json.dumps(document))
            key = iam.create_access_key(UserName=user)["AccessKey"]
            users[-1] = (user, names, key["AccessKeyId"])
            sessions[function] = boto3.Session(
                aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"], region_name=cycle.account.region
            )
        cycle.server.post("/moto-api/reset-auth", b"0")
        yield sessions
    finally:
        cycle.server.post("/moto-api/reset-auth", b"inf")
        for user, names, key_id in users:
            for name in names:
                iam.delete_user_policy(UserName=user, PolicyName=name)
            if key_id:
                iam.delete_access_key(UserName=user, AccessKeyId=key_id)
            iam.delete_user(UserName=user)


def _queue_url(cycle: Cycle, name: str) -> str:
    return f"{cycle.account.endpoint_url}/{cycle.account.account_id}/uja-{name}-{cycle.deployment.qualifier}"


def _topic(cycle: Cycle) -> str:
    return f"arn:aws:sns:{cycle.account.region}:{cycle.account.account_id}:uja-user-interventions-{cycle.deployment.qualifier}"


def _denied(call: Callable[[], Any]) -> bool:
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"] in DENIED
    return False


def test_event_processor_sends_only_to_its_queues(cycle: Cycle, enforced: dict[str, boto3.Session]) -> None:
    sqs = enforced["event-processor"].client("sqs", endpoint_url=cycle.account.endpoint_url)
    sqs.send_message(QueueUrl=_queue_url(cycle, "struggle-signals"), MessageBody="{}")
    assert _denied(lambda: sqs.send_message(QueueUrl=_queue_url(cycle, "interventions"), MessageBody="{}"))


def test_struggle_detector_cannot_publish_interventions_itself(cycle: Cycle, enforced: dict[str, boto3.Session]) -> None:
    session = enforced["struggle-detector"]
    sns = session.client("sns", endpoint_url=cycle.account.endpoint_url)
    assert _denied(lambda: sns.publish(TopicArn=_topic(cycle), Message="{}"))
    session.client("sqs", endpoint_url=cycle.account.endpoint_url).send_message(
        QueueUrl=_queue_url(cycle, "interventions"), MessageBody="{}"
    )


def test_intervention_executor_publishes_but_cannot_read_the_stream(cycle: Cycle, enforced: dict[str, boto3.Session]) -> None:
    session = enforced["intervention-executor"]
    session.client("sns", endpoint_url=cycle.account.endpoint_url).publish(TopicArn=_topic(cycle), Message="{}")
    kinesis = session.client("kinesis", endpoint_url=cycle.account.endpoint_url)
    assert _denied(lambda: kinesis.describe_stream_summary(StreamName=f"uja-user-events-{cycle.deployment.qualifier}"))
