"""Least privilege for real (issue 12): each function role's own session, with moto's access control on.

The roles trust only ``lambda.amazonaws.com``; moto 5.2 cannot evaluate a ``Service`` principal
(HTTP 500), so each role is assumed with ``sts:AssumeRole`` *before* enforcement starts (moto does
not check trust then). The session is still the role's own: with enforcement on, moto evaluates
every request of that session against the role's inline policy as Terraform deployed it.

Only services whose moto responses name the resource are asserted (SQS: the queue ARN; S3: the
bucket/key ARN); moto checks SNS, Kinesis and DynamoDB against ``*``, where a scoped Allow cannot
be told from a missing one (docs/integration.md, "Least privilege on moto"). Enforcement is turned
off again in a ``finally`` (``reset-auth`` ``inf``), so the destroy after this module runs as before.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from journey_guard.ephemeral.emulator import FunctionSpec, functions_from_values
from tests.support.integration import Cycle

pytestmark = pytest.mark.skipif("config.getoption('--target') != 'moto'", reason="moto access control only (AWS: roles trust Lambda)")

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("event-processor", "struggle-detector", "video-analyzer", "intervention-executor")
Call = Callable[[Any], object]


@dataclass(frozen=True)
class RoleSessions:
    """Each function's own STS session (assumed while access control was off) and the switch for it."""

    cycle: Cycle
    credentials: dict[str, dict[str, str]]  # function short name -> AWS_* environment

    def client(self, short: str, service: str) -> Any:
        env = self.credentials[short]
        return boto3.client(
            service,
            endpoint_url=self.cycle.account.endpoint_url,
            region_name=self.cycle.account.region,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=env["AWS_SESSION_TOKEN"],
        )

    @contextmanager
    def enforced(self) -> Iterator[None]:
        """moto's access control on for the block; off again afterwards, whatever happens in it."""
        assert self.cycle.server is not None
        self.cycle.server.post("/moto-api/reset-auth", b"0")
        try:
            yield
        finally:
            self.cycle.server.post("/moto-api/reset-auth", b"inf")


@pytest.fixture(scope="module")
def roles(cycle: Cycle) -> RoleSessions:
    specs = functions_from_values(cycle.state)
    sts = cycle.account.client("sts")
    credentials = {}
    for short in FUNCTIONS:
        spec = specs[f"uja-{short}-{cycle.deployment.qualifier}"]
        creds = sts.assume_role(RoleArn=spec.role_arn, RoleSessionName=short)["Credentials"]
        credentials[short] = {
            "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"],
        }
    return RoleSessions(cycle, credentials)


def _denied(call: Call, client: Any) -> str:
    """The AccessDenied message of a call that must be refused (any other outcome fails)."""
    try:
        call(client)
    except ClientError as exc:
        text = str(exc.response.get("Error", {}))
        assert "AccessDenied" in text, f"refused, but not by access control: {text}"
        return text
    raise AssertionError("call outside the role's policy succeeded")


def _queue_url(cycle: Cycle, queue: str) -> str:
    return f"{cycle.account.endpoint_url}/{cycle.account.account_id}/uja-{queue}-{cycle.deployment.qualifier}"


def _send(cycle: Cycle, queue: str) -> Call:
    return lambda sqs: sqs.send_message(QueueUrl=_queue_url(cycle, queue), MessageBody=f'{{"probe":"{uuid.uuid4()}"}}')


# (function, queue its policy lets it send to, queue it must not send to)
SQS_CASES = [
    ("event-processor", "struggle-signals", "interventions"),
    ("struggle-detector", "interventions", "video-analysis"),
    ("video-analyzer", "interventions", "struggle-signals"),
]


@pytest.mark.parametrize(("function", "allowed", "denied"), SQS_CASES)
def test_sqs_send_is_scoped_to_the_roles_queues(cycle: Cycle, roles: RoleSessions, function: str, allowed: str, denied: str) -> None:
    sqs = roles.client(function, "sqs")
    with roles.enforced():
        assert sqs.send_message(QueueUrl=_queue_url(cycle, allowed), MessageBody='{"probe":"allowed"}')["MessageId"]
        assert f"assumed-role/uja-{function}-{cycle.deployment.qualifier}/" in _denied(_send(cycle, denied), sqs)


def test_intervention_executor_consumes_its_queue_but_cannot_send(cycle: Cycle, roles: RoleSessions) -> None:
    sqs = roles.client("intervention-executor", "sqs")
    with roles.enforced():
        attrs = sqs.get_queue_attributes(QueueUrl=_queue_url(cycle, "interventions"), AttributeNames=["QueueArn"])["Attributes"]
        assert attrs["QueueArn"].endswith(f":uja-interventions-{cycle.deployment.qualifier}")
        _denied(_send(cycle, "interventions"), sqs)
        _denied(lambda c: c.receive_message(QueueUrl=_queue_url(cycle, "struggle-signals")), sqs)


def _event_logs(cycle: Cycle) -> str:
    return f"uja-event-logs-{cycle.deployment.qualifier}-{cycle.account.account_id}"


def test_event_processor_writes_only_the_quarantine_prefix(cycle: Cycle, roles: RoleSessions) -> None:
    s3, bucket = roles.client("event-processor", "s3"), _event_logs(cycle)
    with roles.enforced():
        key = f"quarantine/least-privilege/{uuid.uuid4()}.json"
        assert s3.put_object(Bucket=bucket, Key=key, Body=b"{}")["ResponseMetadata"]["HTTPStatusCode"] == 200
        _denied(lambda c: c.put_object(Bucket=bucket, Key=f"events/least-privilege/{uuid.uuid4()}.json", Body=b"{}"), s3)
        _denied(
            lambda c: c.put_object(Bucket=bucket, Key=f"quarantine/least-privilege/{uuid.uuid4()}.json", Body=b"{}"),
            roles.client("struggle-detector", "s3"),
        )


# A cold start: the handler in a process of its own, so its boto3 clients resolve the role's
# credentials (in the shared test process they would keep whichever credentials came first).
CHILD = """
import json, sys
from journey_guard.ephemeral.account import Account
from journey_guard.ephemeral.emulator import FunctionSpec, Invoker
args = json.load(sys.stdin)
spec = FunctionSpec(**args["spec"])
invoker = Invoker(Account(**args["account"]), {spec.name: spec}, credentials={spec.name: args["credentials"]})
result = invoker.invoke(spec.name, args["event"])
with open(args["out"], "w") as out:
    json.dump(result, out)
"""


def _poison_batch(cycle: Cycle, spec: FunctionSpec, shard: str, sequence: str) -> dict[str, Any]:
    """A one-record Kinesis event in Lambda's shape whose record is not JSON (the handler quarantines it)."""
    stream = f"arn:aws:kinesis:{cycle.account.region}:{cycle.account.account_id}:stream/uja-user-events-{cycle.deployment.qualifier}"
    kinesis = {"kinesisSchemaVersion": "1.0", "partitionKey": "p", "sequenceNumber": sequence, "approximateArrivalTimestamp": time.time()}
    record = {"kinesis": kinesis | {"data": base64.b64encode(b"{not json").decode()}, "eventSource": "aws:kinesis"}
    record |= {
        "eventVersion": "1.0",
        "eventID": f"{shard}:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": spec.role_arn,
    }
    return {"Records": [record | {"awsRegion": cycle.account.region, "eventSourceARN": stream}]}


def _run_handler(cycle: Cycle, roles: RoleSessions, spec: FunctionSpec, event: dict[str, Any], out: Path) -> tuple[Any, str]:
    """Invoke ``spec``'s handler in a child process with the role's credentials; (result, its output)."""
    args = {"spec": asdict(spec), "account": asdict(cycle.account), "event": event, "out": str(out)}
    args["credentials"] = roles.credentials[spec.name.removeprefix("uja-").removesuffix(f"-{cycle.deployment.qualifier}")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    with roles.enforced():
        child = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(args), capture_output=True, text=True, env=env, timeout=120)
    assert child.returncode == 0, child.stderr
    return json.loads(out.read_text()), child.stdout + child.stderr


def test_event_processor_handler_quarantines_with_its_own_role_and_nowhere_else(cycle: Cycle, roles: RoleSessions, tmp_path: Path) -> None:
    spec = functions_from_values(cycle.state)[f"uja-event-processor-{cycle.deployment.qualifier}"]
    s3, artifacts = cycle.account.client("s3"), cycle.outputs["bucket_names"]["artifacts"]

    def keys(bucket: str, shard: str) -> list[str]:
        return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if f"/{shard}/" in o["Key"]]

    shard, sequence = f"shardId-lp{uuid.uuid4().hex[:8]}", str(uuid.uuid4().int)[:21]
    result, _ = _run_handler(cycle, roles, spec, _poison_batch(cycle, spec, shard, sequence), tmp_path / "allowed.json")
    assert result == {"batchItemFailures": []}
    assert len(keys(_event_logs(cycle), shard)) == 1 and keys(_event_logs(cycle), shard)[0].startswith("quarantine/")

    # Same handler, its quarantine pointed at a bucket the role does not name: refused, so retried.
    misdirected = replace(spec, environment=spec.environment | {"EVENT_LOGS_BUCKET": artifacts})
    shard = f"shardId-lp{uuid.uuid4().hex[:8]}"
    result, output = _run_handler(cycle, roles, misdirected, _poison_batch(cycle, spec, shard, sequence), tmp_path / "denied.json")
    assert result == {"batchItemFailures": [{"itemIdentifier": sequence}]}
    assert "AccessDenied" in output
    assert keys(artifacts, shard) == []
