"""The moto server child process and each boundary fix, observed through the server's API."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from collections.abc import Iterator

import boto3
import pytest

from journey_guard.ephemeral.account import fresh_account_id
from journey_guard.ephemeral.moto_fixes import FIXES
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.paths import REPO


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with MotoServer(fresh_account_id()) as running:
        yield running


def _client(server: MotoServer, service: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        service, endpoint_url=server.endpoint_url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    raise RuntimeError('moto must not invoke me')\n")
    return buf.getvalue()


def test_server_serves_the_fresh_account_on_a_loopback_port(server: MotoServer) -> None:
    assert server.endpoint_url.startswith("http://127.0.0.1:")
    assert _client(server, "sts").get_caller_identity()["Account"] == server.account_id


def test_stop_ends_the_child_and_frees_the_port() -> None:
    running = MotoServer(fresh_account_id()).start()
    url = running.endpoint_url
    running.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2)


def test_unknown_fix_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no-such-fix"):
        MotoServer("111122223333", fixes=("no-such-fix",))


def test_every_fix_names_its_problem_and_upstream_status() -> None:
    for fix in FIXES.values():
        assert fix.problem and fix.upstream, fix.name


def test_lambda_runs_without_docker(server: MotoServer) -> None:
    with urllib.request.urlopen(f"{server.endpoint_url}/moto-api/config", timeout=5) as response:
        assert json.loads(response.read())["lambda"] == {"use_docker": False}


def test_timestream_discovery_points_back_at_the_server(server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    [endpoint] = _client(server, "timestream-write").describe_endpoints()["Endpoints"]
    assert endpoint["Address"] == server.endpoint_url
    # A handler's client gets the endpoint from AWS_ENDPOINT_URL, so botocore runs discovery and
    # sends the write to the discovered address: it must be this server, over plain HTTP.
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint_url)
    ts = boto3.client("timestream-write", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    ts.create_database(DatabaseName="uja-x")
    ts.create_table(DatabaseName="uja-x", TableName="user-metrics")
    record = {"Dimensions": [{"Name": "userId", "Value": "u1"}], "MeasureName": "event_count", "MeasureValue": "1", "Time": "1"}
    assert ts.write_records(DatabaseName="uja-x", TableName="user-metrics", Records=[record])["RecordsIngested"]["Total"] == 1


def test_event_source_mappings_exist_but_moto_does_not_deliver(server: MotoServer) -> None:
    iam, lam, sqs, kinesis = (_client(server, s) for s in ("iam", "lambda", "sqs", "kinesis"))
    role = iam.create_role(RoleName="esm-fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"][
        "Arn"
    ]
    lam.create_function(FunctionName="esm-fn", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": _zip()})
    url = sqs.create_queue(QueueName="esm-q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    kinesis.create_stream(StreamName="esm-s", ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName="esm-s")["StreamDescriptionSummary"]["StreamARN"]
    lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=queue_arn, BatchSize=10)
    lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON")
    assert {m["EventSourceArn"] for m in lam.list_event_source_mappings(FunctionName="esm-fn")["EventSourceMappings"]} == {
        queue_arn,
        stream_arn,
    }

    sqs.send_message(QueueUrl=url, MessageBody="for-the-emulator")
    kinesis.put_record(StreamName="esm-s", Data=b"x", PartitionKey="p")
    [message] = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert message["Body"] == "for-the-emulator"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"  # only this receive: moto never polled it


def test_bucket_logging_accepts_a_target_whose_policy_has_a_string_principal(server: MotoServer) -> None:
    s3 = _client(server, "s3")
    target, source = "logs-target", "logged-source"
    s3.create_bucket(Bucket=target)
    s3.create_bucket(Bucket=source)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": f"arn:aws:s3:::{target}/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{target}/*",
            },
        ],
    }
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps(policy))
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "source/"}})
    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"] == {"TargetBucket": target, "TargetPrefix": "source/"}


def test_bucket_logging_still_refuses_a_target_that_does_not_admit_the_logging_service(server: MotoServer) -> None:
    s3 = _client(server, "s3")
    s3.create_bucket(Bucket="closed-target")
    s3.create_bucket(Bucket="closed-source")
    deny_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::closed-target/*"}],
    }
    s3.put_bucket_policy(Bucket="closed-target", Policy=json.dumps(deny_only))
    with pytest.raises(s3.exceptions.ClientError, match="InvalidTargetBucketForLogging"):
        s3.put_bucket_logging(
            Bucket="closed-source", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "closed-target", "TargetPrefix": "x/"}}
        )


def _tls_only_bucket(s3, name: str, extra: list[dict] | None = None) -> None:  # type: ignore[no-untyped-def]
    s3.create_bucket(Bucket=name)
    tls_only = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only, *(extra or [])]}))


def test_tls_only_bucket_policy_does_not_deny_every_write(server: MotoServer) -> None:
    s3 = _client(server, "s3")
    _tls_only_bucket(s3, "tls-only")
    s3.put_object(Bucket="tls-only", Key="k", Body=b"v")
    assert s3.get_object(Bucket="tls-only", Key="k")["Body"].read() == b"v"


def test_unconditional_deny_in_a_bucket_policy_still_denies(server: MotoServer) -> None:
    s3 = _client(server, "s3")
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tls-and-deny/*"}
    _tls_only_bucket(s3, "tls-and-deny", [deny])
    with pytest.raises(s3.exceptions.ClientError, match=r"\(403\)"):
        s3.put_object(Bucket="tls-and-deny", Key="k", Body=b"v")


def test_lambda_returns_the_environment_key_it_was_given(server: MotoServer) -> None:
    iam, lam = _client(server, "iam"), _client(server, "lambda")
    role = iam.create_role(RoleName="kms-fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"][
        "Arn"
    ]
    key = f"arn:aws:kms:us-east-1:{server.account_id}:key/11111111-2222-3333-4444-555555555555"
    lam.create_function(
        FunctionName="kms-fn", Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": _zip()}, KMSKeyArn=key
    )
    assert lam.get_function(FunctionName="kms-fn")["Configuration"]["KMSKeyArn"] == key
    lam.update_function_configuration(FunctionName="kms-fn", KMSKeyArn="")
    assert "KMSKeyArn" not in lam.get_function_configuration(FunctionName="kms-fn")


def test_redrive_policy_comes_back_as_compact_json(server: MotoServer) -> None:
    sqs = _client(server, "sqs")
    dlq = sqs.create_queue(QueueName="compact-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}, separators=(",", ":"))
    url = sqs.create_queue(QueueName="compact-src", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"] == policy


def test_stream_created_with_tags_has_them(server: MotoServer) -> None:
    kinesis = _client(server, "kinesis")
    kinesis.create_stream(StreamName="tagged-s", ShardCount=1, Tags={"run_id": "it-x", "DataClassification": "confidential"})
    tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName="tagged-s")["Tags"]}
    assert tags == {"run_id": "it-x", "DataClassification": "confidential"}


def test_sagemaker_keeps_isolation_notebook_platform_and_no_empty_capture(server: MotoServer) -> None:
    sm = _client(server, "sagemaker")
    role = f"arn:aws:iam::{server.account_id}:role/sm"
    container = {"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"}
    sm.create_model(ModelName="iso", ExecutionRoleArn=role, PrimaryContainer=container, EnableNetworkIsolation=True)
    assert sm.describe_model(ModelName="iso")["EnableNetworkIsolation"] is True
    variant = {"VariantName": "all", "ModelName": "iso", "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}
    sm.create_endpoint_config(EndpointConfigName="iso-cfg", ProductionVariants=[variant])
    assert "DataCaptureConfig" not in sm.describe_endpoint_config(EndpointConfigName="iso-cfg")
    sm.create_endpoint(EndpointName="iso-ep", EndpointConfigName="iso-cfg")  # moto reads the stored config
    assert sm.describe_endpoint(EndpointName="iso-ep")["EndpointStatus"] == "InService"
    sm.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t3.medium",
        RoleArn=role,
        PlatformIdentifier="notebook-al2-v3",
        InstanceMetadataServiceConfiguration={"MinimumInstanceMetadataServiceVersion": "2"},
    )
    described = sm.describe_notebook_instance(NotebookInstanceName="nb")
    assert described["PlatformIdentifier"] == "notebook-al2-v3"
    assert described["InstanceMetadataServiceConfiguration"] == {"MinimumInstanceMetadataServiceVersion": "2"}


def test_docs_list_every_fix_with_its_upstream_status() -> None:
    doc = (REPO / "docs" / "integration.md").read_text()
    section = doc.split("## Boundary fixes", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `")]
    assert sorted(cells[0].strip().strip("`") for cells in rows) == sorted(FIXES)
    assert all(len(cells) == 4 and all(c.strip() for c in cells) for cells in rows), rows
