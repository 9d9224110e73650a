"""The sweeper: which accounts it accepts, how it names what it finds, and dry run vs execute."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from journey_guard.ephemeral import faults, leaks, sweep
from journey_guard.ephemeral.account import Account, AccountRefused, fresh_account_id, moto_account
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.ephemeral.sweep import Found

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def test_run_ids_are_the_harness_format() -> None:
    assert sweep.suffix_of("it-a1b2c3d4") == "a1b2c3d4"
    for bad in ("it-1abcdefg", "a1b2c3d4", "it-abc", "it-ABCDEFGH", "it-a1b2c3d4-x"):
        with pytest.raises(ValueError, match=rf"--run-id '{bad}'"):
            sweep.suffix_of(bad)


@pytest.mark.parametrize(
    ("arn", "found"),
    [
        ("arn:aws:s3:::uja-event-logs-dev-x", Found("s3", "uja-event-logs-dev-x")),
        ("arn:aws:dynamodb:us-east-1:111122223333:table/t-dev-x", Found("dynamodb", "t-dev-x")),
        ("arn:aws:sqs:us-east-1:111122223333:q-dev-x", Found("sqs", "q-dev-x")),
        ("arn:aws:sns:us-east-1:111122223333:t", Found("sns", "arn:aws:sns:us-east-1:111122223333:t")),
        ("arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f-dev-x:*", Found("logs", "/aws/lambda/f-dev-x")),
        ("arn:aws:kms:us-east-1:111122223333:key/1234-abcd", Found("kms-key", "1234-abcd")),
        ("arn:aws:sagemaker:us-east-1:111122223333:endpoint-config/c-dev-x", Found("sagemaker-endpoint-config", "c-dev-x")),
        ("arn:aws:timestream:us-east-1:111122223333:database/d/table/t", Found("timestream-table", "d/table/t")),
        ("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1", Found("arn", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1")),
    ],
)
def test_tagged_arns_are_named_as_the_listings_name_them(arn: str, found: Found) -> None:
    assert sweep.from_arn(arn) == found


def _record(runs: Path, name: str, **fields: object) -> None:
    runs.mkdir(parents=True, exist_ok=True)
    record = {"run_id": name, "endpoint": "http://127.0.0.1:1", "pid": os.getpid(), "account_id": "111122223333"} | fields
    (runs / f"{name}.json").write_text(json.dumps({k: v for k, v in record.items() if v is not None}))


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"endpoint": "http://10.0.0.5:5000"}, r"field endpoint 'http://10\.0\.0\.5:5000' is not an http://<loopback>"),
        ({"endpoint": "https://moto.example.com:443"}, "is not an http://<loopback>"),
        ({"pid": None}, r"not a run record \(needs endpoint, pid, account_id\)"),
        ({"run_id": "it-zzzzzzzz"}, "field run_id is 'it-zzzzzzzz'"),
        ({}, r"is not running \(pid \d+ is no moto server listening on port 1\)"),  # this process is no moto server
    ],
)
def test_moto_records_that_are_not_a_live_loopback_server_are_refused(tmp_path: Path, fields: dict[str, object], refusal: str) -> None:
    _record(tmp_path, "it-a1b2c3d4", **fields)
    with pytest.raises(AccountRefused, match=refusal) as refused:
        sweep.moto_run_account("it-a1b2c3d4", tmp_path)
    assert str(tmp_path / "it-a1b2c3d4.json") in str(refused.value)


def test_no_record_no_sweep(tmp_path: Path) -> None:
    with pytest.raises(AccountRefused, match="no run record for it-a1b2c3d4"):
        sweep.moto_run_account("it-a1b2c3d4", tmp_path)
    assert sweep.main(["--run-id", "it-a1b2c3d4", "--runs-dir", str(tmp_path)]) == 2


@pytest.mark.slow
def test_a_live_server_is_accepted_only_for_its_own_account(tmp_path: Path) -> None:
    server, account = sweep.start_moto_run(tmp_path)
    try:
        accepted = sweep.moto_run_account(account.run_id, tmp_path)
        assert (accepted.endpoint_url, accepted.account_id, accepted.run_id) == (server.endpoint_url, server.account_id, account.run_id)
        _record(tmp_path, account.run_id, endpoint=server.endpoint_url, pid=server.pid, account_id="111122223333")
        with pytest.raises(AccountRefused, match=f"field account_id is 111122223333 but .* serves account {server.account_id}"):
            sweep.moto_run_account(account.run_id, tmp_path)
    finally:
        server.stop()
    _record(tmp_path, account.run_id, endpoint=account.endpoint_url, pid=server.pid or 0, account_id=account.account_id)
    with pytest.raises(AccountRefused, match="is not running"):
        sweep.moto_run_account(account.run_id, tmp_path)


def test_aws_without_the_sandbox_marks_is_refused(account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJA_SANDBOX_ACCOUNT_IDS", "999988887777")
    with pytest.raises(AccountRefused, match="not listed in UJA_SANDBOX_ACCOUNT_IDS"):
        sweep.sandbox_run_account("it-a1b2c3d4")


def _plant(account: Account) -> dict[str, str]:
    q = f"dev-{account.name_suffix}"
    ddb = account.client("dynamodb")
    ddb.create_table(
        TableName=f"uja-t-{q}",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=True,
    )
    iam = account.client("iam")
    iam.create_role(RoleName=f"uja-r-{q}", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName=f"uja-r-{q}", PolicyName="inline", PolicyDocument=POLICY)
    arn = iam.create_policy(PolicyName=f"uja-p-{q}", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=f"uja-r-{q}", PolicyArn=arn)
    kms = account.client("kms")
    key = kms.create_key(Tags=[{"TagKey": "run_id", "TagValue": account.run_id}])["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/uja-k-{q}", TargetKeyId=key)
    s3 = account.client("s3")
    s3.create_bucket(Bucket=f"uja-b-{q}")
    s3.put_bucket_versioning(Bucket=f"uja-b-{q}", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):
        s3.put_object(Bucket=f"uja-b-{q}", Key="k", Body=body)
    account.client("logs").create_log_group(logGroupName=f"/aws/lambda/uja-f-{q}")
    s3.create_bucket(Bucket="someone-elses-bucket")  # not the run's: must survive
    return {"key": key, "q": q}


def test_dry_run_lists_in_dependency_order_and_execute_deletes_only_the_run(account: Account) -> None:
    planted = _plant(account)
    q = planted["q"]
    lines: list[str] = []
    dry = sweep.sweep(account, execute=False, out=lines.append)
    assert [str(f) for f in dry.found] == [
        f"dynamodb: uja-t-{q}",
        f"s3: uja-b-{q}",
        f"logs: /aws/lambda/uja-f-{q}",
        f"iam-role: uja-r-{q}",
        f"iam-policy: uja-p-{q}",
        f"kms-alias: alias/uja-k-{q}",
        f"kms-key: {planted['key']}",
    ]
    assert lines[-1] == "dry run: nothing deleted (--execute deletes)"
    done = sweep.sweep(account, execute=True, out=lines.append)
    assert done.found == dry.found, "a dry run deletes nothing"
    assert done.deleted == dry.found
    assert done.clean and done.left == [], done.failed  # left: the leak check's own listings, after the sweep
    assert [b["Name"] for b in account.client("s3").list_buckets()["Buckets"]] == ["someone-elses-bucket"]


def test_a_kind_without_a_deleter_is_reported_not_skipped(account: Account) -> None:
    report = sweep.delete(account, [Found("arn", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1")])
    assert not report.deleted
    assert "no deleter" in report.failed[Found("arn", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1")]


def test_kill_point_is_fixed_by_the_seed_and_leaves_work_on_both_sides() -> None:
    points = {seed: faults.kill_point(seed, 5) for seed in range(200)}
    assert points == {seed: faults.kill_point(seed, 5) for seed in range(200)}
    assert set(points.values()) == {1, 2, 3, 4}
    with pytest.raises(ValueError, match="at least 2 resources"):
        faults.kill_point(1, 1)


def test_no_server_no_watch() -> None:
    deployment = Deployment(moto_account("http://127.0.0.1:1", fresh_account_id()), "dev")
    with pytest.raises(RuntimeError, match="passes through"), faults.server_guard(None, deployment, "deploy"):
        raise RuntimeError("passes through")


def test_a_dead_server_is_named_even_outside_terraform(tmp_path: Path) -> None:
    server = MotoServer(fresh_account_id()).start()
    account = moto_account(server.endpoint_url, server.account_id)
    deployment = Deployment(account, "dev", workdir=tmp_path)
    os.kill(server.pid or 0, signal.SIGKILL)
    died = r"step 'leak check': the moto server \(pid \d+, http://127\.0\.0\.1:\d+\) was killed by SIGKILL"
    try:
        with pytest.raises(faults.ServerDied, match=died), faults.server_guard(server, deployment, "leak check"):
            leaks.check(account, deployment.qualifier)
    finally:
        server.stop()
