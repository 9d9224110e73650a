"""Least privilege for real, where moto's access control checks resources (SQS, SNS, Kinesis).

With enforcement on (``/moto-api/reset-auth``), each function role is assumed and used for one
call its policy allows and one it does not. moto decides, from the applied role policies; there
is no evaluator of ours. Resource-level IAM for the other services stays proven by the plan tests
(docs/integration.md, coverage table). Enforcement is switched off again before destroy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import Cycle

ADMIN = "uja-it-admin"


@pytest.fixture(scope="module")
def enforced(cycle: Cycle) -> Iterator[dict[str, Any]]:
    if cycle.server is None:
        pytest.fail("least-privilege checks need the moto target (on AWS, IAM itself enforces)")
    iam = cycle.account.client("iam")
    iam.create_user(UserName=ADMIN)
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName=ADMIN, PolicyName="all", PolicyDocument=json.dumps(allow_all))
    key = iam.create_access_key(UserName=ADMIN)["AccessKey"]
    admin = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    cycle.server.post("/moto-api/reset-auth", b"0")
    try:
        yield admin
    finally:
        cycle.server.post("/moto-api/reset-auth", b"inf")
        iam.delete_user_policy(UserName=ADMIN, PolicyName="all")
        iam.delete_access_key(UserName=ADMIN, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=ADMIN)


def _as_role(cycle: Cycle, admin: dict[str, Any], function: str) -> boto3.Session:
    role = f"arn:aws:iam::{cycle.account.account_id}:role/uja-{function}-{cycle.deployment.qualifier}"
    sts = boto3.client("sts", endpoint_url=cycle.account.endpoint_url, region_name=cycle.account.region, **admin)
    creds = sts.assume_role(RoleArn=role, RoleSessionName=f"it-{function}")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=cycle.account.region,
    )


def _queue_url(cycle: Cycle, name: str) -> str:
    return f"{cycle.account.endpoint_url}/{cycle.account.account_id}/uja-{name}-{cycle.deployment.qualifier}"


def _denied(call: Any) -> bool:
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"] in {"AccessDenied", "AccessDeniedException", "AuthorizationError"}
    return False


def test_event_processor_sends_only_to_its_queues(cycle: Cycle, enforced: dict[str, Any]) -> None:
    sqs = _as_role(cycle, enforced, "event-processor").client("sqs", endpoint_url=cycle.account.endpoint_url)
    sqs.send_message(QueueUrl=_queue_url(cycle, "struggle-signals"), MessageBody="{}")
    assert _denied(lambda: sqs.send_message(QueueUrl=_queue_url(cycle, "interventions"), MessageBody="{}"))


def test_struggle_detector_cannot_publish_interventions_itself(cycle: Cycle, enforced: dict[str, Any]) -> None:
    session = _as_role(cycle, enforced, "struggle-detector")
    topic = f"arn:aws:sns:{cycle.account.region}:{cycle.account.account_id}:uja-user-interventions-{cycle.deployment.qualifier}"
    sns = session.client("sns", endpoint_url=cycle.account.endpoint_url)
    assert _denied(lambda: sns.publish(TopicArn=topic, Message="{}"))
    sqs = session.client("sqs", endpoint_url=cycle.account.endpoint_url)
    sqs.send_message(QueueUrl=_queue_url(cycle, "interventions"), MessageBody="{}")


def test_intervention_executor_publishes_but_cannot_read_the_stream(cycle: Cycle, enforced: dict[str, Any]) -> None:
    session = _as_role(cycle, enforced, "intervention-executor")
    topic = f"arn:aws:sns:{cycle.account.region}:{cycle.account.account_id}:uja-user-interventions-{cycle.deployment.qualifier}"
    session.client("sns", endpoint_url=cycle.account.endpoint_url).publish(TopicArn=topic, Message="{}")
    kinesis = session.client("kinesis", endpoint_url=cycle.account.endpoint_url)
    assert _denied(lambda: kinesis.describe_stream_summary(StreamName=f"uja-user-events-{cycle.deployment.qualifier}"))
