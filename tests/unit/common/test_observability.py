from __future__ import annotations

from collections.abc import Callable

import pytest

from common import metrics as m
from common import observability
from common.metrics import Counts


def test_counts_only_take_known_names() -> None:
    counts = Counts()
    counts.add(m.RECORDS_PROCESSED, 3)
    counts.add(m.RECORDS_PROCESSED)
    assert counts[m.RECORDS_PROCESSED] == 4
    with pytest.raises(ValueError, match="unknown metric 'Typo'"):
        counts.add("Typo")


def test_run_emits_counts_as_emf_even_when_the_work_raises(emf: Callable[[], list[dict]], function_env) -> None:
    function_env("event-processor")

    def work(event: dict, context: object, counts: Counts) -> dict:
        counts.add(m.RECORDS_QUARANTINED, 2)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        observability.run(work, {}, None)
    (doc,) = emf()
    assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == m.NAMESPACE
    assert doc[m.RECORDS_QUARANTINED] == [2.0]


@pytest.mark.spec("idempotency-records-7-days")
def test_helpers_are_created_once() -> None:
    assert observability.logger() is observability.logger()
    assert observability.tracer() is observability.tracer()
    layer, config = observability.idempotency("uja-idempotency-dev")
    assert observability.idempotency("uja-idempotency-dev")[0] is layer
    assert config.event_key_jmespath == "requestId" and config.expires_after_seconds == 7 * 24 * 3600


def test_an_invocation_that_counted_nothing_emits_nothing(emf: Callable[[], list[dict]], function_env) -> None:
    function_env("event-processor")
    assert observability.run(lambda event, context, counts: {"ok": True}, {}, None) == {"ok": True}
    assert emf() == []
