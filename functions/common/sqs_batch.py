"""SQS batches with Powertools partial batch responses, each message applied once per ``requestId``.

Shared by the three SQS-triggered functions (struggle detector, video analyzer, intervention
executor). Powertools' batch and idempotency utilities are imported on first use, not at import.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from common import observability
from common.bedrock import BedrockActionRequest, dispatch, is_bedrock_event
from common.metrics import RECORDS_RETRIED, Counts
from common.settings import Settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer, IdempotencyConfig

M = TypeVar("M", bound=BaseModel)
# An action-group operation: the parsed request and this invocation's counts in, the body out.
Operation = Callable[[BedrockActionRequest, Counts], Any]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Idempotency:
    """Where requestIds are recorded (the ``idempotency`` table, 7-day records) and their key prefix."""

    store: Callable[[], tuple[BasePersistenceLayer, IdempotencyConfig]]
    key_prefix: str

    @classmethod
    def lazy(cls, settings: Settings, key_prefix: str) -> Idempotency:
        """The table's persistence layer, created on first use (not at import)."""
        return cls(lambda: observability.idempotency(settings.IDEMPOTENCY_TABLE), key_prefix)


def run_once(message: M, apply: Callable[[M, Counts], dict], idempotency: Idempotency, context: Any, counts: Counts) -> dict:
    """``apply(message, counts)`` unless ``message.requestId`` was applied; then its stored result."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    layer, config = idempotency.store()
    if context is not None:
        config.register_lambda_context(context)  # an interrupted attempt's lock expires with the invocation

    @idempotent_function(data_keyword_argument="message", persistence_store=layer, config=config, key_prefix=idempotency.key_prefix)
    def once(message: M) -> dict:
        return apply(message, counts)

    return once(message=message)


def process_sqs(
    event: dict, context: Any, model: type[M], apply: Callable[[M, Counts], dict], idempotency: Idempotency, counts: Counts
) -> dict:
    """Apply each record's message; failed records (bad body included) go back as batch item failures."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    def record_handler(record: Any) -> dict:
        return run_once(model.model_validate_json(record.body), apply, idempotency, context, counts)

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    result = process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    for failure in processor.exceptions:
        observability.logger().warning("record failed; SQS delivers it again", exc_info=failure)
    if result["batchItemFailures"]:
        counts.add(RECORDS_RETRIED, len(result["batchItemFailures"]))
    return dict(result)


def entry(
    event: dict,
    context: Any,
    model: type[M],
    apply: Callable[[M, Counts], dict],
    routes: dict[tuple[str, str], Operation],
    idempotency: Idempotency,
) -> dict:
    """One invocation of an SQS-triggered function that is also a Bedrock action-group executor:
    a Bedrock request goes to its ``routes`` entry, anything else is an SQS batch of ``model``."""

    def work(event: dict, context: Any, counts: Counts) -> dict:
        if is_bedrock_event(event):
            bound = {key: partial(operation, counts=counts) for key, operation in routes.items()}
            return dispatch(event, bound, on_unexpected=observability.logger().exception)
        return process_sqs(event, context, model, apply, idempotency, counts)

    return observability.run(work, event, context)
