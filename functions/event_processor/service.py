"""The event processor's batch: the plan of ``rules``, then the writes through the adapters passed in.

Every step is idempotent (same keys, same records, same requestIds, a sequence-number watermark
on profiles), so a record that fails transiently is reported for redelivery and nothing it already
did is doubled. The outcome of each record is exactly one of processed, quarantined or retried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from common import metrics as m
from common.adapters import S3, SQS, ConditionFailed, DynamoDB, Timestream
from common.metrics import Counts
from common.settings import Settings
from event_processor.rules import (
    METRICS_COMMON,
    PROFILE_ATTRIBUTES,
    SESSION_COMMON,
    Accepted,
    BatchPlan,
    collector_paused,
    plan_batch,
    plan_profile,
    profile_update_request,
    quarantine_body,
    quarantine_key,
    read_profile,
    record_of,
    session_records,
)

# A conditional conflict is re-read and retried twice before the user's records are reported.
PROFILE_ATTEMPTS = 3


@dataclass
class Dependencies:
    settings: Settings
    dynamodb: DynamoDB
    sqs: SQS
    s3: S3
    timestream: Timestream
    log: Any = None  # a logging.Logger-like object with .exception/.warning; None: silent


@dataclass
class BatchOutcome:
    processed: set[str] = field(default_factory=set)
    quarantined: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)  # sequence numbers for batchItemFailures


class _Run:
    def __init__(self, plan: BatchPlan, deps: Dependencies, counts: Counts) -> None:
        self.plan, self.deps, self.counts = plan, deps, counts
        self.settings = deps.settings
        self.failed: set[str] = set()

    def _transient(self, what: str, sequences: Iterable[str], exc: Exception) -> None:
        sequences = set(sequences)
        self.failed |= sequences
        if self.deps.log is not None:
            self.deps.log.warning(f"{what} failed; {len(sequences)} records will be retried: {exc!r}")

    def quarantine(self) -> None:
        bucket = self.settings.EVENT_LOGS_BUCKET
        for rejected in self.plan.rejected:
            try:
                self.deps.s3.put_object(bucket, quarantine_key(rejected.record), quarantine_body(rejected))
            except Exception as exc:  # any failure to quarantine is retried, never a drop
                self._transient("quarantine", [rejected.record.sequence], exc)

    def store_events(self) -> None:
        if not self.plan.items:
            return
        try:
            self.deps.dynamodb.batch_write(self.settings.USER_EVENTS_TABLE, self.plan.items)
        except Exception as exc:
            self._transient("BatchWriteItem user-events", (a.record.sequence for a in self.plan.accepted), exc)

    def _timestream(self, table: str, records: list[dict], common: dict, sequences: Iterable[str]) -> bool:
        """Write to a Timestream table, or count the records skipped when Timestream is off; False on failure."""
        if not records:
            return True
        if not self.settings.timestream_enabled:
            self.counts.add(m.TIMESTREAM_DISABLED, len(records))
            return True
        try:
            _, rejected = self.deps.timestream.write_records(self.settings.TIMESTREAM_DATABASE, table, records, common)
        except Exception as exc:
            self._transient(f"Timestream {table}", sequences, exc)
            return False
        if rejected:
            self.counts.add(m.RECORDS_REJECTED, rejected)
        return True

    def user_metrics(self) -> None:
        self._timestream("user-metrics", self.plan.metrics, METRICS_COMMON, (a.record.sequence for a in self.plan.accepted))

    def messages(self) -> None:
        for url, bodies in ((self.settings.STRUGGLE_QUEUE_URL, self.plan.struggle), (self.settings.VIDEO_QUEUE_URL, self.plan.video)):
            if not bodies:
                continue
            try:
                self.deps.sqs.send_batch(url, list(bodies.values()))
            except Exception as exc:
                self._transient(f"SendMessageBatch {url}", (s for rid in bodies for s in self.plan.sources[rid]), exc)
            else:
                self.counts.add(m.MESSAGES_SENT, len(bodies))

    def profiles(self) -> None:
        by_user = self.plan.by_user
        if not by_user:
            return
        table = self.settings.USER_PROFILES_TABLE
        keys = [{"userId": {"S": user}} for user in by_user]
        try:
            found = self.deps.dynamodb.batch_get(table, keys, projection=PROFILE_ATTRIBUTES)
        except Exception as exc:
            self._transient("BatchGetItem user-profiles", (a.record.sequence for a in self.plan.accepted), exc)
            return
        profiles = {item["userId"]["S"]: item for item in found}
        for user, accepted in by_user.items():
            self._profile(table, user, profiles.get(user), accepted)

    def _profile(self, table: str, user: str, item: dict | None, accepted: list[Accepted]) -> None:
        sequences = [a.record.sequence for a in accepted]
        for attempt in range(PROFILE_ATTEMPTS):
            update = plan_profile(user, read_profile(item), accepted)
            if update is None:
                return  # every record of this user was applied by an earlier delivery
            # The closed sessions' summaries go out before the update that forgets them.
            summaries = session_records(update)
            if not self._timestream("session-analytics", summaries, SESSION_COMMON, sequences):
                return
            try:
                self.deps.dynamodb.update_item(**profile_update_request(table, update))
                return
            except ConditionFailed as exc:
                self.counts.add(m.CONDITIONAL_CONFLICTS)
                if attempt == PROFILE_ATTEMPTS - 1:
                    self._transient(f"profile of {user} (conflict {PROFILE_ATTEMPTS} times)", sequences, exc)
                    return
            except Exception as exc:
                self._transient(f"UpdateItem profile of {user}", sequences, exc)
                return
            try:
                item = self.deps.dynamodb.get_item(table, {"userId": {"S": user}})
            except Exception as exc:
                self._transient(f"GetItem profile of {user}", sequences, exc)
                return


def process(raw_records: list[dict], deps: Dependencies, counts: Counts) -> BatchOutcome:
    """Process one Kinesis batch; the outcome says which sequence numbers to report as failures."""
    with collector_paused():  # the plan is freed by reference counting when _process returns
        return _process(raw_records, deps, counts)


def _process(raw_records: list[dict], deps: Dependencies, counts: Counts) -> BatchOutcome:
    plan = plan_batch([record_of(r) for r in raw_records])
    run = _Run(plan, deps, counts)
    run.quarantine()
    run.store_events()
    run.user_metrics()
    run.messages()
    run.profiles()
    outcome = BatchOutcome(failed=run.failed)
    outcome.quarantined = {r.record.sequence for r in plan.rejected} - run.failed
    outcome.processed = {a.record.sequence for a in plan.accepted} - run.failed
    counts.add(m.RECORDS_PROCESSED, len(outcome.processed))
    counts.add(m.RECORDS_QUARANTINED, len(outcome.quarantined))
    counts.add(m.RECORDS_RETRIED, len(outcome.failed))
    return outcome
