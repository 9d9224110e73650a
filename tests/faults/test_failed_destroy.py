"""A failed destroy leaves resources and state: the sweeper's dry run lists them, --execute deletes them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from journey_guard.ephemeral import leaks
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.paths import REPO

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}


def _sweep(run_id: str, runs_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "journey_guard.ephemeral.sweep", "--run-id", run_id, "--runs-dir", str(runs_dir), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=False, timeout=120)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_failed_destroy_is_swept_in_dependency_order(
    tiny_run: tuple[MotoServer, Deployment], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    _, deployment = tiny_run
    account, q = deployment.account, deployment.qualifier
    deployment.apply()
    # Planted beside the state: a role with its managed policy attached and a KMS alias (found by
    # name: IAM and aliases are not in the tagging API), a queue found by name, a key and a topic
    # found only by their run_id tag.
    iam = account.client("iam")
    iam.create_role(RoleName=f"uja-planted-{q}", AssumeRolePolicyDocument=json.dumps(TRUST))
    policy_arn = iam.create_policy(PolicyName=f"uja-planted-{q}", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=f"uja-planted-{q}", PolicyArn=policy_arn)
    account.client("sqs").create_queue(QueueName=f"uja-planted-{q}")
    kms = account.client("kms")
    key = kms.create_key(Description="planted", Tags=[{"TagKey": "run_id", "TagValue": account.run_id}])["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/uja-planted-{q}", TargetKeyId=key)
    topic = account.client("sns").create_topic(Name="planted-by-tag", Tags=[{"Key": "run_id", "Value": account.run_id}])["TopicArn"]
    # The destroy fails for real: the table was protected outside Terraform.
    table = f"uja-user-events-{q}"
    account.client("dynamodb").update_table(TableName=table, DeletionProtectionEnabled=True)
    assert not deployment.destroy()
    before = leaks.check(account, q).survivors
    assert f"dynamodb: {table}" in before
    state = account.client("s3").list_objects_v2(Bucket=deployment.state_bucket)["Contents"]
    assert [o["Key"] for o in state] == [deployment.state_key], "the failed destroy kept the run's state"

    dry = _sweep(account.run_id, tmp_path / "runs")
    assert dry.returncode == 0, dry.stderr
    listed = [line.split(". ", 1)[1].strip() for line in dry.stdout.splitlines() if line[:6].strip().rstrip(".").isdigit()]
    for expected in (
        f"dynamodb: {table}",  # the one resource the destroy could not delete
        f"iam-role: uja-planted-{q}",
        f"iam-policy: uja-planted-{q}",
        f"kms-alias: alias/uja-planted-{q}",
        f"kms-key: {key}",
        f"sqs: uja-planted-{q}",
        f"sns: {topic}",
    ):
        assert expected in listed, dry.stdout
    assert len(listed) == 7, dry.stdout
    kinds = [item.split(": ", 1)[0] for item in listed]
    assert kinds.index("iam-role") < kinds.index("iam-policy") and kinds.index("kms-alias") < kinds.index("kms-key"), listed
    assert "dry run: nothing deleted" in dry.stdout
    assert leaks.check(account, q).survivors == before, "the dry run deleted something"

    done = _sweep(account.run_id, tmp_path / "runs", "--execute")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "after the sweep: 0 left" in done.stdout
    request.node.user_properties.append(("swept", len(listed)))
    report = leaks.check(account, q)
    assert report.clean, report.markdown()
    assert not account.client("s3").list_buckets()["Buckets"], "the run's state and its bucket are gone too"
