"""Lambda entry point of the event processor (Kinesis trigger with ReportBatchItemFailures).

Thin on purpose: the work is in ``service.process``; this module wires settings and adapters
(clients made on first use) and answers with Powertools' partial batch response.
"""

from __future__ import annotations

from typing import Any

from common import observability
from common.adapters import S3, SQS, DynamoDB, Timestream
from common.metrics import Counts
from common.settings import Settings
from event_processor.service import Dependencies, process

FUNCTION = "event-processor"
DEPENDENCIES = Dependencies(settings=Settings(FUNCTION), dynamodb=DynamoDB(), sqs=SQS(), s3=S3(), timestream=Timestream())


class RecordRetried(Exception):
    """Marks a record the batch reported as a transient failure (Lambda delivers it again)."""


def handler(event: dict, context: Any) -> dict:
    return observability.run(lambda e, c, counts: handle(e, c, DEPENDENCIES, counts), event, context)


def handle(event: dict, context: Any, deps: Dependencies, counts: Counts) -> dict:
    """Process a Kinesis event with the given dependencies; returns ``{"batchItemFailures": [...]}``."""
    # Imported here: Powertools' batch module pulls in all its parser models (~150 ms of cold start).
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    records = event.get("Records") or []
    if not records:  # Powertools refuses an empty batch; there is nothing to report
        return {"batchItemFailures": []}
    if deps.log is None:
        deps.log = observability.logger()
    outcome = process(records, deps, counts)

    def record_handler(record: Any) -> None:
        if record.kinesis.sequence_number in outcome.failed:
            raise RecordRetried(record.kinesis.sequence_number)

    # raise_on_entire_batch_failure=False: an all-failed batch is still a partial response (Lambda retries it).
    processor = BatchProcessor(event_type=EventType.KinesisDataStreams, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
