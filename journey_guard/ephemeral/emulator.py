"""Event-source emulator: Lambda's Kinesis and SQS pollers, invoking the handlers in-process.

moto stores event source mappings but its own delivery (switched off by the ``esm-hooks-off``
boundary fix) is not Lambda's. This module does what Lambda's pollers do, from the mapping's
settings as Terraform planned and applied them (:func:`mappings_from_values` reads the ``values``
block of a plan or of ``terraform show -json`` state):

Kinesis (per shard, in order): batches of up to ``batch_size`` records (the batching window is
emulated by reading until the batch is full or the shard has nothing more; nothing sleeps);
``ReportBatchItemFailures`` (retry from the lowest failed sequence number; a failure naming no
record of the batch fails the whole batch); a function error bisects the batch when
``bisect_batch_on_function_error`` (a split uses no retry attempt, as in Lambda), otherwise retries
it; after ``maximum_retry_attempts`` (-1 = until the record expires, bounded here by
``infinite_retry_cap``) or past ``maximum_record_age_in_seconds`` the batch's metadata goes to the
on-failure destination (SQS) in Lambda's shape, and the shard moves on.

SQS: batches of up to ``batch_size`` messages; success deletes the batch; reported item failures
(or a function error) leave those messages to come back, made visible at once instead of after
the visibility timeout, so the queue's redrive policy moves them to the DLQ after
``maxReceiveCount`` receives, exactly as it would in AWS.

Handlers run in this process with the function's environment variables (and, when given,
credentials) set for the duration of the invocation. Credentials given that way only take effect in
a process whose handlers have not yet created their clients (boto3's default session reads them
once, and the adapters keep their clients): to run a handler under its own role, run it in a child
process, as tests/integration/test_3_least_privilege.py does.
"""

from __future__ import annotations

import base64
import importlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from journey_guard.ephemeral.account import Account
from journey_guard.paths import FUNCTIONS_DIR
from journey_guard.terraform.plans import walk_resources

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class EventSourceMapping:
    function_name: str
    source_arn: str
    batch_size: int
    batching_window_s: int = 0
    report_item_failures: bool = False
    bisect_on_error: bool = False
    max_retries: int = -1
    max_record_age_s: int = -1
    on_failure_arn: str | None = None
    starting_position: str = "LATEST"

    @property
    def source(self) -> str:
        return self.source_arn.split(":")[2]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str  # "<package>.handler.handler"
    environment: dict[str, str]
    role_arn: str = ""
    timeout_s: int = 60
    memory_mb: int = 512


def _resources(doc: Mapping[str, Any], rtype: str) -> Iterator[Mapping[str, Any]]:
    root = (doc.get("values") or doc.get("planned_values") or {}).get("root_module", {})
    for res in walk_resources(root):
        if res.get("type") == rtype and res.get("mode", "managed") == "managed":
            yield res


def _name_of(function: str) -> str:
    # The mapping may name the function by ARN; Lambda's name is the ARN's 7th field.
    return function.split(":")[6] if function.startswith("arn:") else function


def mappings_from_values(doc: Mapping[str, Any]) -> list[EventSourceMapping]:
    """Every ``aws_lambda_event_source_mapping`` in a plan's or a state's ``values``."""
    out = []
    for res in _resources(doc, "aws_lambda_event_source_mapping"):
        v = res["values"]
        where = res.get("address", "?")
        if not v.get("event_source_arn") or not v.get("function_name"):
            raise ValueError(f"{where}: event_source_arn and function_name must be known (render the plan with real ARNs or use the state)")
        dest = ((v.get("destination_config") or [{}])[0].get("on_failure") or [{}])[0].get("destination_arn")
        out.append(
            EventSourceMapping(
                function_name=_name_of(v["function_name"]),
                source_arn=v["event_source_arn"],
                batch_size=int(v.get("batch_size") or (100 if ":kinesis:" in v["event_source_arn"] else 10)),
                batching_window_s=int(v.get("maximum_batching_window_in_seconds") or 0),
                report_item_failures="ReportBatchItemFailures" in (v.get("function_response_types") or []),
                bisect_on_error=bool(v.get("bisect_batch_on_function_error")),
                max_retries=int(v["maximum_retry_attempts"]) if v.get("maximum_retry_attempts") is not None else -1,
                max_record_age_s=int(v["maximum_record_age_in_seconds"]) if v.get("maximum_record_age_in_seconds") is not None else -1,
                on_failure_arn=dest,
                starting_position=v.get("starting_position") or "LATEST",
            )
        )
    return out


def functions_from_values(doc: Mapping[str, Any]) -> dict[str, FunctionSpec]:
    """Every ``aws_lambda_function`` in a state's ``values``, keyed by function name."""
    out = {}
    for res in _resources(doc, "aws_lambda_function"):
        v = res["values"]
        env = ((v.get("environment") or [{}])[0].get("variables")) or {}
        out[v["function_name"]] = FunctionSpec(
            name=v["function_name"],
            handler=v["handler"],
            environment=dict(env),
            role_arn=v.get("role") or "",
            timeout_s=int(v.get("timeout") or 3),
            memory_mb=int(v.get("memory_size") or 128),
        )
    return out


class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(self, spec: FunctionSpec, region: str, account_id: str) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = spec.memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{spec.name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = "journey-guard-emulator"
        self._deadline = time.monotonic() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Stats:
    invocations: int = 0
    function_errors: int = 0
    item_failures: int = 0
    bisections: int = 0
    on_failure: int = 0
    records: int = 0
    by_function: dict[str, int] = field(default_factory=dict)


@contextmanager
def _environ(overlay: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in overlay}
    os.environ.update(overlay)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class Invoker:
    """Calls a function's handler in-process with its environment (credentials: see the module docstring)."""

    def __init__(
        self,
        account: Account,
        functions: Mapping[str, FunctionSpec],
        handlers: Mapping[str, Handler] | None = None,
        credentials: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.account = account
        self.functions = dict(functions)
        self._handlers = dict(handlers or {})
        self.credentials = dict(credentials or {})
        self.stats = Stats()

    def handler(self, name: str) -> Handler:
        if name not in self._handlers:
            spec = self.functions[name]
            module_name, _, attr = spec.handler.rpartition(".")
            if str(FUNCTIONS_DIR) not in sys.path:
                sys.path.insert(0, str(FUNCTIONS_DIR))
            self._handlers[name] = getattr(importlib.import_module(module_name), attr)
        return self._handlers[name]

    def replace_handler(self, name: str, handler: Handler) -> Handler:
        """Swap a function's handler (fault injection in scenarios); returns the one it replaces."""
        previous = self.handler(name)
        self._handlers[name] = handler
        return previous

    def invoke(self, name: str, event: dict[str, Any]) -> Any:
        if name not in self.functions:
            raise KeyError(f"event source mapping names function {name!r}, which the state does not hold (known: {sorted(self.functions)})")
        spec = self.functions[name]
        overlay = {**self.account.env(), **spec.environment, "AWS_LAMBDA_FUNCTION_NAME": name, **self.credentials.get(name, {})}
        self.stats.invocations += 1
        self.stats.by_function[name] = self.stats.by_function.get(name, 0) + 1
        with _environ(overlay):
            return self.handler(name)(event, LambdaContext(spec, self.account.region, self.account.account_id))


def _failed_ids(result: Any) -> list[str] | None:
    """Item identifiers of a partial batch response; None when the response is not one."""
    if not isinstance(result, Mapping) or "batchItemFailures" not in result:
        return None
    return [str(f.get("itemIdentifier", "")) for f in result.get("batchItemFailures") or []]


class KinesisPoller:
    def __init__(self, mapping: EventSourceMapping, invoker: Invoker, infinite_retry_cap: int = 20) -> None:
        self.mapping = mapping
        self.invoker = invoker
        self.account = invoker.account
        self.kinesis = self.account.client("kinesis")
        self.sqs = self.account.client("sqs")
        self.stream_name = mapping.source_arn.split("/", 1)[1]
        self.retry_cap = mapping.max_retries if mapping.max_retries >= 0 else infinite_retry_cap
        self.attached_at = datetime.now(UTC)
        self.checkpoints: dict[str, str | None] = {}

    def _iterator(self, shard_id: str) -> str:
        seq = self.checkpoints.get(shard_id)
        # By name, not StreamARN: moto 5.2 loses the stream in iterators made from an ARN.
        kwargs: dict[str, Any] = {"StreamName": self.stream_name, "ShardId": shard_id}
        if seq:
            kwargs |= {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": seq}
        elif self.mapping.starting_position == "TRIM_HORIZON":
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            # LATEST as of the moment the mapping was attached: records put afterwards are seen.
            kwargs |= {"ShardIteratorType": "AT_TIMESTAMP", "Timestamp": self.attached_at}
        return self.kinesis.get_shard_iterator(**kwargs)["ShardIterator"]

    def _read(self, shard_id: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        iterator: str | None = self._iterator(shard_id)
        while iterator and len(records) < self.mapping.batch_size:
            page = self.kinesis.get_records(ShardIterator=iterator, Limit=self.mapping.batch_size - len(records))
            if not page["Records"]:
                break
            records += page["Records"]
            iterator = page.get("NextShardIterator")
        return records

    def _event(self, shard_id: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        role = self.invoker.functions[self.mapping.function_name].role_arn
        return {
            "Records": [
                {
                    "kinesis": {
                        "kinesisSchemaVersion": "1.0",
                        "partitionKey": r["PartitionKey"],
                        "sequenceNumber": r["SequenceNumber"],
                        "data": base64.b64encode(r["Data"]).decode(),
                        "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp(),
                    },
                    "eventSource": "aws:kinesis",
                    "eventVersion": "1.0",
                    "eventID": f"{shard_id}:{r['SequenceNumber']}",
                    "eventName": "aws:kinesis:record",
                    "invokeIdentityArn": role,
                    "awsRegion": self.account.region,
                    "eventSourceARN": self.mapping.source_arn,
                }
                for r in records
            ]
        }

    def _expired(self, record: dict[str, Any]) -> bool:
        age = self.mapping.max_record_age_s
        return age >= 0 and (datetime.now(UTC) - record["ApproximateArrivalTimestamp"]).total_seconds() > age

    def _send_on_failure(self, shard_id: str, batch: list[dict[str, Any]], condition: str, attempts: int, error: str) -> None:
        self.invoker.stats.on_failure += 1
        if not self.mapping.on_failure_arn:
            return  # Lambda drops the batch's metadata when no destination is configured
        arn = self.mapping.on_failure_arn
        queue_url = self.sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1], QueueOwnerAWSAccountId=arn.split(":")[4])["QueueUrl"]
        body = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{self.account.region}:{self.account.account_id}:function:{self.mapping.function_name}",
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": error},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "KinesisBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": batch[0]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": batch[0]["ApproximateArrivalTimestamp"].isoformat(),
                "approximateArrivalOfLastRecord": batch[-1]["ApproximateArrivalTimestamp"].isoformat(),
                "batchSize": len(batch),
                "streamArn": self.mapping.source_arn,
            },
        }
        self.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))

    def _process(self, shard_id: str, batch: list[dict[str, Any]], attempts: int = 0) -> None:
        fresh = [r for r in batch if not self._expired(r)]
        if len(fresh) < len(batch):
            self._send_on_failure(shard_id, [r for r in batch if self._expired(r)], "RecordAgeExceeded", attempts, "")
            batch = fresh
        if not batch:
            return
        stats = self.invoker.stats
        try:
            result = self.invoker.invoke(self.mapping.function_name, self._event(shard_id, batch))
        except Exception as exc:  # the handler's crash is Lambda's "function error"
            stats.function_errors += 1
            if self.mapping.bisect_on_error and len(batch) > 1:
                stats.bisections += 1
                half = len(batch) // 2
                self._process(shard_id, batch[:half], attempts)
                self._process(shard_id, batch[half:], attempts)
                return
            self._retry(shard_id, batch, attempts, f"Unhandled: {type(exc).__name__}")
            return
        failed = _failed_ids(result) if self.mapping.report_item_failures else None
        if not failed:
            stats.records += len(batch)
            return
        stats.item_failures += len(failed)
        seqs = [r["SequenceNumber"] for r in batch]
        if not all(f in seqs for f in failed):
            self._retry(shard_id, batch, attempts, "")  # an unknown identifier fails the whole batch
            return
        first = min(seqs.index(f) for f in failed)
        stats.records += first
        self._retry(shard_id, batch[first:], attempts, "")

    def _retry(self, shard_id: str, batch: list[dict[str, Any]], attempts: int, error: str) -> None:
        if attempts >= self.retry_cap:
            self._send_on_failure(shard_id, batch, "RetryAttemptsExhausted", attempts + 1, error)
            return
        self._process(shard_id, batch, attempts + 1)

    def poll(self) -> int:
        """Process every available record of every shard; return the number of records read."""
        total = 0
        shards = self.kinesis.list_shards(StreamName=self.stream_name)["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            while batch := self._read(shard_id):
                total += len(batch)
                self._process(shard_id, batch)
                self.checkpoints[shard_id] = batch[-1]["SequenceNumber"]
        return total


class SqsPoller:
    def __init__(self, mapping: EventSourceMapping, invoker: Invoker) -> None:
        self.mapping = mapping
        self.invoker = invoker
        self.account = invoker.account
        self.sqs = self.account.client("sqs")
        name, owner = mapping.source_arn.split(":")[5], mapping.source_arn.split(":")[4]
        self.queue_url = self.sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)["QueueUrl"]

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.mapping.batch_size:
            got = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, self.mapping.batch_size - len(messages)),
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not got:
                break
            messages += got
        return messages

    def _event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {
                        k: {
                            "stringValue": a.get("StringValue"),
                            "binaryValue": a.get("BinaryValue"),
                            "stringListValues": [],
                            "binaryListValues": [],
                            "dataType": a["DataType"],
                        }
                        for k, a in m.get("MessageAttributes", {}).items()
                    },
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.mapping.source_arn,
                    "awsRegion": self.account.region,
                }
                for m in messages
            ]
        }

    def poll(self) -> int:
        """Receive and process until the queue returns nothing; return the messages received."""
        total = 0
        stats = self.invoker.stats
        while messages := self._receive():
            total += len(messages)
            try:
                result = self.invoker.invoke(self.mapping.function_name, self._event(messages))
                failed = set(_failed_ids(result) or []) if self.mapping.report_item_failures else set()
                ids = {m["MessageId"] for m in messages}
                if not failed <= ids:
                    failed = ids  # an unknown identifier fails the whole batch
            except Exception:
                stats.function_errors += 1
                failed = {m["MessageId"] for m in messages}
            stats.item_failures += len(failed)
            stats.records += len(messages) - len(failed)
            done = [m for m in messages if m["MessageId"] not in failed]
            for start in range(0, len(done), 10):
                chunk = done[start : start + 10]
                self.sqs.delete_message_batch(
                    QueueUrl=self.queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
                )
            for m in messages:
                if m["MessageId"] in failed:
                    self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        return total


class Emulator:
    """All pollers of a deployment; ``drain()`` runs them until no source yields anything."""

    def __init__(self, invoker: Invoker, mappings: list[EventSourceMapping], infinite_retry_cap: int = 20) -> None:
        self.invoker = invoker
        self.pollers: list[KinesisPoller | SqsPoller] = []
        for m in mappings:
            if m.source == "kinesis":
                self.pollers.append(KinesisPoller(m, invoker, infinite_retry_cap))
            elif m.source == "sqs":
                self.pollers.append(SqsPoller(m, invoker))
            else:
                raise ValueError(f"event source {m.source_arn} of {m.function_name}: only Kinesis and SQS mappings are emulated")

    @property
    def stats(self) -> Stats:
        return self.invoker.stats

    def positions(self) -> dict[str, dict[str, str | None]]:
        """Each Kinesis mapping's checkpoints (shard -> last sequence number processed)."""
        return {p.mapping.source_arn: dict(p.checkpoints) for p in self.pollers if isinstance(p, KinesisPoller)}

    def rewind(self, positions: dict[str, dict[str, str | None]]) -> None:
        """Go back to saved checkpoints: Lambda delivering the same records again after a retry."""
        for poller in self.pollers:
            if isinstance(poller, KinesisPoller) and poller.mapping.source_arn in positions:
                poller.checkpoints = dict(positions[poller.mapping.source_arn])

    def drain(self, max_rounds: int = 50) -> Stats:
        for _ in range(max_rounds):
            if sum(p.poll() for p in self.pollers) == 0:
                return self.stats
        raise RuntimeError(f"event sources still yield records after {max_rounds} rounds (a message loop?)")
