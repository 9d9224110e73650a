"""Logger, Metrics, Tracer and idempotency, each created on first use.

Importing a handler module must stay cheap (cold start budget: 300 ms), so nothing here imports
Powertools until a function asks for it. ``run`` wraps one invocation: Lambda context in the logs,
metrics flushed as EMF even when the handler raises.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from common.metrics import NAMESPACE, Counts

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600


def _service() -> str:
    return os.environ.get("POWERTOOLS_SERVICE_NAME", "uja")


@functools.cache
def logger() -> Logger:
    from aws_lambda_powertools import Logger

    return Logger(service=_service())


@functools.cache
def metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE), service=_service())


@functools.cache
def tracer() -> Tracer:
    """The X-Ray tracer; creating it patches boto3, so it happens on the first invocation only."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=_service())


@functools.cache
def idempotency(table_name: str, key_path: str = "requestId") -> tuple[DynamoDBPersistenceLayer, IdempotencyConfig]:
    """Persistence layer and config for ``idempotent_function`` keyed on a message's requestId (records kept 7 days)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

    layer = DynamoDBPersistenceLayer(table_name=table_name)
    return layer, IdempotencyConfig(event_key_jmespath=key_path, expires_after_seconds=IDEMPOTENCY_TTL_SECONDS)


def run(work: Callable[[dict, Any, Counts], dict], event: dict, context: Any) -> dict:
    """Run one invocation: ``work(event, context, counts)``; counts are emitted as EMF whatever happens."""
    log = logger()
    if context is not None and hasattr(context, "aws_request_id"):
        log.append_keys(request_id=context.aws_request_id, function_name=getattr(context, "function_name", None))
    counts = Counts()
    tracer()  # first use creates it (and patches boto3 for X-Ray when running in Lambda)
    try:
        return work(event, context, counts)
    finally:
        sink = metrics()
        counts.emit(sink)
        if sink.metric_set:  # an invocation that counted nothing emits nothing (and no warning)
            sink.flush_metrics()
