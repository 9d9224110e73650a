"""Delete what one integration run left behind: ``python -m journey_guard.ephemeral.sweep --run-id ID [--execute]``.

For the day a destroy failed, an apply was killed, or the automation itself died. The run's
resources are found as the leak check finds survivors (:mod:`journey_guard.ephemeral.leaks`: the tagging API
by ``run_id``, plus per-service listings by the run's suffix, which also see untaggable resources),
then deleted in dependency order (mappings and functions before queues and tables, roles before
their policies, aliases before keys; KMS keys are scheduled for deletion, as AWS allows), then the
run's Terraform state and lock. Dry run by default: it lists and deletes nothing.

It refuses any account that is not a sandbox. ``--target aws``: the double marker of the real-AWS
integration target (:func:`journey_guard.ephemeral.account.aws_account`). ``--target moto`` (default): the
run record the harness wrote when the run's moto server started (``build/integration/runs/<run_id>.json``:
endpoint, pid, account, run id), accepted only while it matches a live server on loopback: that pid
is a running ``journey_guard.ephemeral.moto_server`` listening on the recorded port, and the endpoint
serves the recorded account. A moto account exists only as long as its server, so there is nothing to sweep after it.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from journey_guard.ephemeral import leaks
from journey_guard.ephemeral.account import SUFFIX_LENGTH, Account, AccountRefused, aws_account, fresh_account_id, moto_account
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.paths import BUILD_DIR

RUNS_DIR = BUILD_DIR / "integration" / "runs"
RUN_ID = re.compile(rf"^it-([a-z][a-z0-9]{{{SUFFIX_LENGTH - 1}}})$")
KMS_PENDING_DAYS = 7  # the shortest window AWS allows


@dataclass(frozen=True)
class Found:
    """One resource of the run: the leak check's label (``s3``, ``kms-key``...) and its name or id."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.name}"


@dataclass
class SweepReport:
    found: list[Found] = field(default_factory=list)
    deleted: list[Found] = field(default_factory=list)
    failed: dict[Found, str] = field(default_factory=dict)
    unchecked: dict[str, str] = field(default_factory=dict)
    left: list[Found] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.failed and not self.left


# --- which account ---------------------------------------------------------------------------


def suffix_of(run_id: str) -> str:
    """The ``name_suffix`` inside a run id ``it-<suffix>`` (the harness's format)."""
    match = RUN_ID.match(run_id)
    if not match:
        raise ValueError(f"--run-id {run_id!r} is not a run id of the harness (it-<8 of [a-z0-9], starting with a letter>)")
    return match.group(1)


def record_path(run_id: str, runs_dir: Path = RUNS_DIR) -> Path:
    return runs_dir / f"{run_id}.json"


def write_run_record(account: Account, pid: int, runs_dir: Path = RUNS_DIR) -> Path:
    """Record a moto run's server (the sweeper's proof that the endpoint is this run's sandbox)."""
    path = record_path(account.run_id, runs_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "run_id": account.run_id,
        "endpoint": account.endpoint_url,
        "pid": pid,
        "account_id": account.account_id,
        "region": account.region,
    }
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _moto_listening(pid: int, port: int) -> bool:
    """``pid`` is a live ``journey_guard.ephemeral.moto_server serve`` process listening on ``port``."""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE or "journey_guard.ephemeral.moto_server" not in process.cmdline():
            return False
        return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in process.net_connections("inet"))
    except psutil.Error:
        return False


def start_moto_run(runs_dir: Path = RUNS_DIR) -> tuple[MotoServer, Account]:
    """A moto server with a fresh account for one run, recorded so the sweeper can accept it later."""
    server = MotoServer(fresh_account_id()).start()
    account = moto_account(server.endpoint_url, server.account_id)
    write_run_record(account, server.pid or 0, runs_dir)
    return server, account


def moto_run_account(run_id: str, runs_dir: Path = RUNS_DIR) -> Account:
    """The moto account of a run, from its record; refused unless the record names a live loopback server."""
    suffix_of(run_id)  # a bad run id is refused before any file is read
    path = record_path(run_id, runs_dir)
    if not path.is_file():
        raise AccountRefused(f"{path}: no run record for {run_id}; the sweeper accepts a moto endpoint only from its run record")
    try:
        record = json.loads(path.read_text())
        endpoint, pid, account_id = str(record["endpoint"]), int(record["pid"]), str(record["account_id"])
        region = str(record.get("region", "us-east-1"))
    except (ValueError, KeyError, TypeError) as exc:
        raise AccountRefused(f"{path}: not a run record (needs endpoint, pid, account_id): {exc}") from exc
    if record.get("run_id") != run_id:
        raise AccountRefused(f"{path}: field run_id is {record.get('run_id')!r}, not {run_id!r}")
    url = urlsplit(endpoint)
    if url.scheme != "http" or not url.hostname or not _loopback(url.hostname) or not url.port:
        raise AccountRefused(f"{path}: field endpoint {endpoint!r} is not an http://<loopback>:<port> address")
    if not _moto_listening(pid, url.port):
        raise AccountRefused(
            f"{path}: the moto server of {run_id} is not running (pid {pid} is no moto server listening on port {url.port})"
        )
    account = _as_run(moto_account(endpoint, account_id, region), run_id)
    served = account.client("sts").get_caller_identity()["Account"]
    if served != account_id:
        raise AccountRefused(f"{path}: field account_id is {account_id} but {endpoint} serves account {served}")
    return account


def _as_run(account: Account, run_id: str) -> Account:
    """``account`` as seen by the run ``run_id`` (its suffix and tags instead of fresh ones)."""
    return replace(account, name_suffix=suffix_of(run_id), tags={**account.tags, "run_id": run_id})


def sandbox_run_account(run_id: str) -> Account:
    """The real sandbox account of the ambient credentials (refused without the double marker)."""
    return _as_run(aws_account(), run_id)


# --- what the run left -------------------------------------------------------------------------

_ARN_KINDS: tuple[tuple[str, str, str], ...] = (
    # (service, resource-type prefix of the ARN's resource part, kind)
    ("dynamodb", "table/", "dynamodb"),
    ("kinesis", "stream/", "kinesis"),
    ("lambda", "function:", "lambda"),
    ("logs", "log-group:", "logs"),
    ("kms", "key/", "kms-key"),
    ("iam", "role/", "iam-role"),
    ("iam", "policy/", "iam-policy"),
    ("cloudwatch", "alarm:", "cloudwatch-alarm"),
    ("sagemaker", "endpoint-config/", "sagemaker-endpoint-config"),
    ("sagemaker", "endpoint/", "sagemaker-endpoint"),
    ("sagemaker", "model/", "sagemaker-model"),
    ("sagemaker", "notebook-instance/", "sagemaker-notebook"),
    ("sagemaker", "pipeline/", "sagemaker-pipeline"),
    ("timestream", "database/", "timestream"),
)


def from_arn(arn: str) -> Found:
    """A tagged ARN as the kind and name the listings use (so one resource is found once)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return Found("arn", arn)
    service, resource = parts[2], parts[5]
    if service == "s3":
        return Found("s3", resource)
    if service in {"sqs", "sns"}:
        return Found(service, resource if service == "sqs" else arn)
    for svc, prefix, kind in _ARN_KINDS:
        if service == svc and resource.startswith(prefix):
            name = resource.removeprefix(prefix)
            if kind == "logs":
                name = name.removesuffix(":*")
            if kind == "timestream" and "/table/" in name:
                return Found("timestream-table", name)
            return Found(kind, name)
    return Found("arn", arn)


def discover(account: Account) -> tuple[list[Found], dict[str, str]]:
    """Every resource of the account's run, and the listings the endpoint could not answer."""
    report = leaks.check(account, account.name_suffix)
    found: dict[Found, None] = {}
    for survivor in report.survivors:
        label, name = survivor.split(": ", 1)
        found[from_arn(name) if label == "tagged" else Found(label, name)] = None
    return sorted(found, key=_rank), report.unchecked


# --- deleting ---------------------------------------------------------------------------------


def _empty_bucket(s3: Any, bucket: str, prefix: str = "") -> None:
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])


def _delete_bucket(account: Account, name: str) -> None:
    s3 = account.client("s3")
    _empty_bucket(s3, name)
    s3.delete_bucket(Bucket=name)


def _delete_esms(account: Account, function_arn: str) -> None:
    client = account.client("lambda")
    for mapping in client.list_event_source_mappings(FunctionName=function_arn).get("EventSourceMappings", []):
        client.delete_event_source_mapping(UUID=mapping["UUID"])


def _delete_table(account: Account, name: str) -> None:
    client = account.client("dynamodb")
    if client.describe_table(TableName=name)["Table"].get("DeletionProtectionEnabled"):
        client.update_table(TableName=name, DeletionProtectionEnabled=False)
    client.delete_table(TableName=name)


def _delete_role(account: Account, name: str) -> None:
    iam = account.client("iam")
    for policy in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for policy_name in iam.list_role_policies(RoleName=name).get("PolicyNames", []):
        iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
    for profile in iam.list_instance_profiles_for_role(RoleName=name).get("InstanceProfiles", []):
        iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
    iam.delete_role(RoleName=name)


def _delete_policy(account: Account, name: str) -> None:
    iam = account.client("iam")
    arn = next(p["Arn"] for p in leaks._pages(iam, "list_policies", "Policies", Scope="Local") if p["PolicyName"] == name)
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    for role in entities.get("PolicyRoles", []):
        iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
    for user in entities.get("PolicyUsers", []):
        iam.detach_user_policy(UserName=user["UserName"], PolicyArn=arn)
    for group in entities.get("PolicyGroups", []):
        iam.detach_group_policy(GroupName=group["GroupName"], PolicyArn=arn)
    for version in iam.list_policy_versions(PolicyArn=arn).get("Versions", []):
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)


def _delete_timestream(account: Account, database: str) -> None:
    client = account.client("timestream-write")
    for table in leaks._pages(client, "list_tables", "Tables", DatabaseName=database):
        client.delete_table(DatabaseName=database, TableName=table["TableName"])
    client.delete_database(DatabaseName=database)


def _delete_notebook(account: Account, name: str) -> None:
    client = account.client("sagemaker")
    if client.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"] != "Stopped":
        client.stop_notebook_instance(NotebookInstanceName=name)
    client.delete_notebook_instance(NotebookInstanceName=name)


def _queue(account: Account, name: str) -> None:
    sqs = account.client("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


Deleter = Callable[[Account, str], None]

# Dependency order: what uses a resource goes before it. Kinds without a deleter (EC2 networking,
# Bedrock, Flink, budgets, unknown ARNs) are reported for a manual delete (docs/integration.md).
DELETERS: dict[str, Deleter] = {
    "lambda-esm": _delete_esms,
    "lambda": lambda a, n: a.client("lambda").delete_function(FunctionName=n),
    "cloudwatch-alarm": lambda a, n: a.client("cloudwatch").delete_alarms(AlarmNames=[n]),
    "cloudwatch-dashboard": lambda a, n: a.client("cloudwatch").delete_dashboards(DashboardNames=[n]),
    "sagemaker-endpoint": lambda a, n: a.client("sagemaker").delete_endpoint(EndpointName=n),
    "sagemaker-endpoint-config": lambda a, n: a.client("sagemaker").delete_endpoint_config(EndpointConfigName=n),
    "sagemaker-model": lambda a, n: a.client("sagemaker").delete_model(ModelName=n),
    "sagemaker-notebook": _delete_notebook,
    "sagemaker-pipeline": lambda a, n: a.client("sagemaker").delete_pipeline(PipelineName=n, ClientRequestToken=f"sweep-{n}"[:128]),
    "sns": lambda a, n: a.client("sns").delete_topic(TopicArn=n),
    "sqs": _queue,
    "kinesis": lambda a, n: a.client("kinesis").delete_stream(StreamName=n, EnforceConsumerDeletion=True),
    "dynamodb": _delete_table,
    "timestream-table": lambda a, n: a.client("timestream-write").delete_table(
        DatabaseName=n.split("/table/")[0], TableName=n.split("/table/")[1]
    ),
    "timestream": _delete_timestream,
    "s3": _delete_bucket,
    "logs": lambda a, n: a.client("logs").delete_log_group(logGroupName=n),
    "iam-role": _delete_role,
    "iam-policy": _delete_policy,
    "kms-alias": lambda a, n: a.client("kms").delete_alias(AliasName=n),
    "kms-key": lambda a, n: a.client("kms").schedule_key_deletion(KeyId=n, PendingWindowInDays=KMS_PENDING_DAYS),
}
_ORDER = {kind: rank for rank, kind in enumerate(DELETERS)}


def _rank(found: Found) -> tuple[int, str, str]:
    return (_ORDER.get(found.kind, len(_ORDER)), found.kind, found.name)


def delete(account: Account, resources: Iterable[Found], report: SweepReport | None = None) -> SweepReport:
    """Delete ``resources`` in dependency order; a failure is recorded and the rest still go."""
    report = report or SweepReport()
    for item in sorted(resources, key=_rank):
        deleter = DELETERS.get(item.kind)
        if deleter is None:
            report.failed[item] = "no deleter for this kind: delete it by hand (docs/integration.md)"
            continue
        try:
            deleter(account, item.name)
            report.deleted.append(item)
        except Exception as exc:  # botocore ClientError and friends: report, go on with the rest
            report.failed[item] = f"{type(exc).__name__}: {exc}"
    return report


def delete_state(account: Account) -> list[str]:
    """Remove the run's state and lock objects (``.../integration/<run_id>.tfstate[.tflock]``); moto: empty state buckets too."""
    s3 = account.client("s3")
    removed = []
    for bucket in (b["Name"] for b in s3.list_buckets().get("Buckets", [])):
        if not bucket.startswith(f"uja-tfstate-{account.account_id}-"):
            continue
        env = bucket.rsplit("-", 1)[1]
        key = f"user-journey-analytics/{env}/integration/{account.run_id}.tfstate"  # Deployment.state_key
        _empty_bucket(s3, bucket, prefix=key)  # the state, its versions and the .tflock
        removed.append(f"s3://{bucket}/{key}*")
        if account.target == "moto" and not s3.list_object_versions(Bucket=bucket).get("Versions"):
            _empty_bucket(s3, bucket)  # delete markers of other keys
            s3.delete_bucket(Bucket=bucket)
            removed.append(f"s3://{bucket}")
    return removed


def sweep(account: Account, execute: bool, out: Callable[[str], None] = print) -> SweepReport:
    """List (and with ``execute`` delete) every resource of the account's run; print what it does."""
    found, unchecked = discover(account)
    report = SweepReport(found=found, unchecked=unchecked)
    where = f"{account.target} account {account.account_id}" + (f" ({account.endpoint_url})" if account.endpoint_url else "")
    out(f"run {account.run_id} in {where}: {len(found)} resources, in deletion order")
    for i, item in enumerate(found, 1):
        out(f"  {i:3d}. {item}{'' if item.kind in DELETERS else '   (no deleter: by hand)'}")
    for label, why in sorted(unchecked.items()):
        out(f"  unchecked {label}: {why}")
    if not execute:
        out("dry run: nothing deleted (--execute deletes)")
        return report
    delete(account, found, report)
    for item in report.deleted:
        out(f"deleted {item}")
    for item, why in report.failed.items():
        out(f"FAILED {item}: {why}")
    for removed in delete_state(account):
        out(f"deleted state {removed}")
    report.left, _ = discover(account)
    out(f"after the sweep: {len(report.left)} left" + "".join(f"\n  {item}" for item in report.left))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.ephemeral.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--run-id", required=True, help="the run's id (tag run_id, it-<suffix>)")
    parser.add_argument("--target", choices=["moto", "aws"], default="moto", help="moto (from the run record, default) or aws")
    parser.add_argument("--runs-dir", type=Path, default=RUNS_DIR, help=f"where run records are (default {RUNS_DIR})")
    parser.add_argument("--execute", action="store_true", help="delete (default: dry run, list only)")
    args = parser.parse_args(argv)
    try:
        account = moto_run_account(args.run_id, args.runs_dir) if args.target == "moto" else sandbox_run_account(args.run_id)
    except (AccountRefused, ValueError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    report = sweep(account, args.execute)
    return 0 if report.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
