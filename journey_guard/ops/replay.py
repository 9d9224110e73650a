"""Replay tool: put records back on the stream after a fix. Dry-run unless ``--execute``.

Two sources:

- ``failures``: each ``stream-failures`` message (Lambda's on-failure record) names a shard and a
  sequence range; the records are re-read from the stream (``AT_SEQUENCE_NUMBER`` .. end, while
  retention lasts) and re-put with their partition keys. With ``--execute`` the message is deleted
  once its records are back on the stream; a range the stream no longer holds is reported as
  expired and its message kept (the alarm on the queue exists to prevent that).
- ``quarantine``: each ``s3://<event-logs>/quarantine/...`` object (raw base64 data, partition key,
  reason) is re-put; with ``--execute`` it is then moved to ``quarantine-replayed/`` so a second
  run does not put it twice.

Re-putting gives records new sequence numbers; the processor's idempotent writes (same item for
the same eventId) make a replay of already-stored events harmless.

    python -m journey_guard.ops.replay failures --queue-url URL --stream NAME [--execute]
    python -m journey_guard.ops.replay quarantine --bucket uja-event-logs-dev-<account> --stream NAME [--prefix quarantine/2026-11-25/] [--execute]
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from dataclasses import dataclass, field
from typing import Any

QUARANTINE_PREFIX = "quarantine/"
REPLAYED_PREFIX = "quarantine-replayed/"


@dataclass
class ReplayReport:
    dry_run: bool
    records: int = 0
    sources: int = 0
    expired: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        verb = "would re-put" if self.dry_run else "re-put"
        return f"replay: {verb} {self.records} records from {self.sources} sources; expired {len(self.expired)}; errors {len(self.errors)}"


def _stream_target(stream: str) -> dict[str, str]:
    return {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}


def read_range(kinesis: Any, stream: str, shard_id: str, start: str, end: str) -> list[dict[str, Any]]:
    """Records of one shard from ``start`` to ``end`` inclusive (sequence numbers compare as ints)."""
    name = stream.split("/", 1)[1] if stream.startswith("arn:") else stream
    iterator = kinesis.get_shard_iterator(
        StreamName=name, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=start
    )["ShardIterator"]
    out: list[dict[str, Any]] = []
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        for record in page["Records"]:
            if int(record["SequenceNumber"]) > int(end):
                return out
            out.append(record)
        if not page["Records"]:
            return out
        iterator = page.get("NextShardIterator")
    return out


def replay_failures(sqs: Any, kinesis: Any, queue_url: str, stream: str, execute: bool, max_messages: int = 1000) -> ReplayReport:
    report = ReplayReport(dry_run=not execute)
    seen: set[str] = set()
    held: list[str] = []  # receipt handles of messages left on the queue (dry run, expired, errors)
    while len(seen) < max_messages:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen.add(message["MessageId"])
            handle = message["ReceiptHandle"]
            try:
                info = json.loads(message["Body"])["KinesisBatchInfo"]
            except (ValueError, KeyError, TypeError):
                report.errors.append(f"message {message['MessageId']}: not a Lambda on-failure record with KinesisBatchInfo")
                held.append(handle)
                continue
            report.sources += 1
            records = read_range(kinesis, stream, info["shardId"], info["startSequenceNumber"], info["endSequenceNumber"])
            if len(records) < int(info.get("batchSize", len(records))):
                report.expired.append(
                    f"{info['shardId']} {info['startSequenceNumber']}..{info['endSequenceNumber']}: {len(records)} of {info['batchSize']} records left"
                )
                held.append(handle)
                continue
            report.records += len(records)
            if execute:
                _put(kinesis, stream, [(r["Data"], r["PartitionKey"]) for r in records])
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=handle)
            else:
                held.append(handle)
    # Whatever stays on the queue is visible again at once, as if never read.
    for handle in held:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
    return report


def replay_quarantine(s3: Any, kinesis: Any, bucket: str, stream: str, execute: bool, prefix: str = QUARANTINE_PREFIX) -> ReplayReport:
    if not prefix.startswith(QUARANTINE_PREFIX):
        raise ValueError(f"prefix {prefix!r} must start with {QUARANTINE_PREFIX!r}")
    report = ReplayReport(dry_run=not execute)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            try:
                body = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
                data, partition_key = base64.b64decode(body["data"]), body["partitionKey"] or "replay"
            except (ValueError, KeyError, TypeError) as exc:
                report.errors.append(f"s3://{bucket}/{key}: not a quarantine record ({exc})")
                continue
            report.sources += 1
            report.records += 1
            if execute:
                _put(kinesis, stream, [(data, partition_key)])
                s3.copy_object(
                    Bucket=bucket, Key=REPLAYED_PREFIX + key[len(QUARANTINE_PREFIX) :], CopySource={"Bucket": bucket, "Key": key}
                )
                s3.delete_object(Bucket=bucket, Key=key)
    return report


def _put(kinesis: Any, stream: str, records: list[tuple[bytes, str]]) -> None:
    for data, partition_key in records:
        kinesis.put_record(Data=data, PartitionKey=partition_key, **_stream_target(stream))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.ops.replay", description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", help="e.g. a moto server; default: AWS")
    parser.add_argument("--region", default=None)
    parser.add_argument("--execute", action="store_true", help="really re-put (default: dry run, report only)")
    sub = parser.add_subparsers(dest="source", required=True)
    failures = sub.add_parser("failures", help="records named by stream-failures messages")
    failures.add_argument("--queue-url", required=True)
    failures.add_argument("--stream", required=True)
    quarantine = sub.add_parser("quarantine", help="quarantined records in the event-logs bucket")
    quarantine.add_argument("--bucket", required=True)
    quarantine.add_argument("--stream", required=True)
    quarantine.add_argument("--prefix", default=QUARANTINE_PREFIX)
    args = parser.parse_args(argv)
    import boto3

    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=args.endpoint_url, region_name=args.region)

    if args.source == "failures":
        report = replay_failures(client("sqs"), client("kinesis"), args.queue_url, args.stream, args.execute)
    else:
        report = replay_quarantine(client("s3"), client("kinesis"), args.bucket, args.stream, args.execute, args.prefix)
    print(report.line())
    for line in report.expired + report.errors:
        print(f"  {line}", file=sys.stderr)
    return 1 if report.errors or report.expired else 0


if __name__ == "__main__":
    sys.exit(main())
