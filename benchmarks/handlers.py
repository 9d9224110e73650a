"""Struggle detector, video analyzer and intervention executor: batch time, scoring time, cold import.

    python -m benchmarks.handlers     writes build/bench/handlers.json

- ``<function>_sqs_batch10``: one 10-message SQS batch through ``handler.handle`` against moto
  (median of several batches of new messages, after a warm-up batch), ms;
- ``score_*``: the scoring functions per call, µs;
- ``<function>_cold_import``: ``import <package>.handler`` in fresh interpreters without bytecode,
  as ``benchmarks.functions`` measures the event processor (median of 5, CPU ms, goal < 300 ms).
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import sys
import time
import timeit
from collections.abc import Callable, Iterator
from itertools import count

from benchmarks.functions import fresh_interpreters, import_probe
from journey_guard.paths import FUNCTIONS_DIR
from journey_guard.quality import bench

if str(FUNCTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS_DIR))  # the Lambda zip root, as in AWS and in pytest

from common.adapters import SNS, DynamoDB
from common.messages import InterventionRequest, StruggleCandidate, VideoCandidate
from common.scoring import exit_risk, video_engagement
from common.scoring.features import derive_features
from intervention_executor import handler as executor
from intervention_executor import service as executor_service
from struggle_detector import handler as struggle
from struggle_detector import rules as struggle_rules
from tests.support.lambdas import lambda_context, sqs_event
from tests.support.moto_world import moto_world
from tests.support.sqs_functions import T0, Aws, create
from video_analyzer import handler as video

SUITE = "handlers"
BATCH = 10
BATCHES = 5
IMPORT_RUNS = 5
PACKAGES = {"struggle_detector": "struggle-detector", "video_analyzer": "video-analyzer", "intervention_executor": "intervention-executor"}


def _batches(
    handle: Callable[..., dict], deps: object, idempotency: object, body: Callable[[int], str], n: Iterator[int]
) -> Callable[[], dict]:
    """One call: a batch of ``BATCH`` new messages (``body(i)``) through ``handle``."""

    def one() -> dict:
        return handle(sqs_event([body(next(n)) for _ in range(BATCH)]), lambda_context(), deps, idempotency)

    return one


def _candidate(model: type[StruggleCandidate | VideoCandidate], kind: str, i: int, fields: dict[str, object]) -> str:
    """The message about the ``i``-th event: its own request id and source event, one of three users."""
    return model(requestId=f"{kind}:e{i}", sourceEventIds=[f"e{i}"], userId=f"u{i % 3}", **fields).model_dump_json()


def _struggle_batch(aws: Aws, n: Iterator[int]) -> Callable[[], dict]:
    def body(i: int) -> str:
        fields = {"sessionId": "s", "featureId": f"f{i % 4}", "attemptCount": 1 + i % 6, "eventType": "feature_interaction"}
        return _candidate(StruggleCandidate, "struggle", i, fields | {"detectedAt": T0 + i})

    return _batches(struggle.handle, aws.scoring_deps("struggle-detector"), aws.idempotency("struggle-detector"), body, n)


def _video_batch(aws: Aws, n: Iterator[int]) -> Callable[[], dict]:
    def body(i: int) -> str:
        return _candidate(VideoCandidate, "video", i, {"videoId": f"v{i % 5}", "watchMs": 1000 * i, "completionRate": 0.1, "at": T0 + i})

    return _batches(video.handle, aws.scoring_deps("video-analyzer"), aws.idempotency("video-analyzer"), body, n)


def _executor_batch(aws: Aws, n: Iterator[int]) -> Callable[[], dict]:
    deps = executor_service.Dependencies(aws.settings("intervention-executor"), DynamoDB(aws.dynamodb), SNS(aws.sns), lambda: T0)
    priorities = ("low", "normal", "high", "critical")

    def body(i: int) -> str:
        request = InterventionRequest(
            requestId=f"r{i}", sourceEventIds=[f"e{i}"], userId=f"u{i}", interventionType="contextual_help", priority=priorities[i % 4]
        )
        return request.model_dump_json(exclude_none=True)

    return _batches(executor.handle, deps, aws.idempotency("intervention-executor"), body, n)


def batch_ms(make: Callable[[Aws, Iterator[int]], Callable[[], dict]]) -> float:
    with moto_world() as world, contextlib.redirect_stdout(io.StringIO()):  # the handlers print their metrics (EMF)
        one = make(create(world), count())
        one()  # warm-up: lazy imports, first calls
        times = []
        for _ in range(BATCHES):
            start = time.perf_counter()
            result = one()
            times.append(time.perf_counter() - start)
            if result["batchItemFailures"]:
                raise SystemExit(f"bench: a batch failed: {result}")
    return statistics.median(times) * 1000


def per_call_us(fn: Callable[[], object], number: int = 2000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=3)) / number * 1e6


def cold_import_ms(package: str) -> float:
    """Median CPU ms of ``import <package>.handler`` in fresh interpreters, measured as for the event processor."""
    runs = fresh_interpreters(import_probe(f"{package}.handler"), IMPORT_RUNS, bytecode=False)
    return statistics.median(imported for imported, _ in runs)


def main() -> int:
    features = {name: 3.0 for name in exit_risk.FEATURES}
    events = [
        {
            "eventType": t,
            "timestamp": T0 + i * 1000,
            "sessionId": f"s{i // 50}",
            "eventData": {"action": "help", "page": f"/p{i % 7}", "attemptCount": 2, "success": i % 3 == 0},
        }
        for i, t in enumerate(["feature_interaction", "user_action", "page_view", "form_error"] * 50)
    ]
    video_instance = {"viewCount": 3, "totalWatchMs": 120_000, "maxCompletionRate": 0.4}
    scoring = {
        "score_exit_risk_us": lambda: exit_risk.prediction(features),
        "score_video_engagement_us": lambda: video_engagement.prediction(video_instance),
        "score_struggle_risk_us": lambda: struggle_rules.risk_level(struggle_rules.risk_score(4, ["high", "medium", "low"])),
    }
    for metric, fn in scoring.items():
        bench.record(SUITE, metric, per_call_us(fn), "us")
    bench.record(SUITE, "derive_features_200_events_us", per_call_us(lambda: derive_features(events, T0 + 300_000), number=100), "us")
    for package, make in (
        ("struggle_detector", _struggle_batch),
        ("video_analyzer", _video_batch),
        ("intervention_executor", _executor_batch),
    ):
        bench.record(SUITE, f"{PACKAGES[package]}_sqs_batch10", batch_ms(make), "ms")
        bench.record(SUITE, f"{PACKAGES[package]}_cold_import", cold_import_ms(package), "ms", goal="< 300 ms")
    for rec in json.loads((bench.BENCH_DIR / f"{SUITE}.json").read_text()):
        print(f"{rec['metric']:40} {rec['value']:>12.3f} {rec['unit']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
