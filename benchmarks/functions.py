"""Event processor: pure domain work against a bare decode loop, and cold import of the handler.

    python -m benchmarks.functions     writes build/bench/functions.json

- ``event_processor_domain_10k``: decode, validate and build every write and message of a
  10,000-record Kinesis batch (items, Timestream records, SQS bodies, profile updates and session
  summaries), best of several runs, CPU ms (the machine is shared: wall time would measure the
  neighbours); baseline: a bare ``base64`` + ``json.loads`` loop over the
  same records in the same run; goal <= 5x.
- ``event_processor_cold_import``: ``import event_processor.handler`` in a fresh interpreter as in
  Lambda (``fresh_interpreters``: sources compiled on every cold start, as the build ships no
  bytecode). Median of several, CPU ms, goal < 300 ms; ``..._best``: the fastest run, the least
  disturbed by other load.
  ``..._bytecode``: everything precompiled (what a zip with .pyc files for 3.12 would give).
- ``event_processor_first_batch``: in the same fresh interpreters, the first one-record batch
  through the domain code after the import (pays the deferred pydantic schema builds), ms.
"""

from __future__ import annotations

import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from journey_guard.paths import FUNCTIONS_DIR
from journey_guard.quality import bench

if str(FUNCTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTIONS_DIR))  # the Lambda zip root, as in AWS and in pytest

from event_processor.rules import (
    SESSION_COMMON,
    collector_paused,
    plan_batch,
    plan_profile,
    profile_update_request,
    record_of,
    session_records,
)

SUITE = "functions"
RECORDS = 10_000
USERS = 500
RUNS = 9  # best of 9: on the shared 2-core machine fewer runs leave the ratio +-5% noisy
IMPORT_RUNS = 9
ARRIVAL_MS = 1_700_000_000_000
EVENT_TYPES = ("page_view", "feature_interaction", "video_engagement", "form_error", "user_action", "video_complete", "error_event")


def kinesis_batch(size: int = RECORDS, seed: int = 7) -> list[dict]:
    """A realistic mix of user events as Lambda delivers them (deterministic for a seed)."""
    rng = random.Random(seed)
    records = []
    for i in range(size):
        event_type = rng.choice(EVENT_TYPES)
        data: dict = {"page": f"/p/{rng.randrange(40)}"}
        if event_type.startswith("video"):
            data |= {"videoId": f"video-{rng.randrange(50)}", "duration": rng.randrange(600_000), "completionRate": round(rng.random(), 3)}
        elif event_type == "feature_interaction":
            data |= {"feature": f"feature-{rng.randrange(20)}", "attemptCount": rng.randint(1, 5), "success": rng.random() < 0.7}
        event = {
            "eventId": str(uuid.UUID(int=rng.getrandbits(128))),
            "userId": f"user-{rng.randrange(USERS)}",
            "sessionId": f"session-{rng.randrange(3)}",
            "eventType": event_type,
            "timestamp": ARRIVAL_MS - rng.randrange(3_600_000),
            "eventData": data,
            "deviceInfo": {"platform": rng.choice(("iOS", "Android", "Web")), "appVersion": "4.2.0"},
            "userContext": {"userSegment": "active_user", "sessionStage": "browsing"},
        }
        sequence = str(49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898 + i)
        records.append(
            {
                "kinesis": {
                    "partitionKey": event["userId"],
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(json.dumps(event).encode()).decode(),
                    "approximateArrivalTimestamp": ARRIVAL_MS / 1000,
                },
                "eventID": f"shardId-000000000000:{sequence}",
            }
        )
    return records


def bare_loop(records: list[dict]) -> None:
    for record in records:
        json.loads(base64.b64decode(record["kinesis"]["data"]))


def domain_work(records: list[dict]) -> None:
    # As in service.process: the collector is paused until the plan is freed (at _plan's return).
    with collector_paused():
        _plan(records)


def _plan(records: list[dict]) -> None:
    plan = plan_batch([record_of(r) for r in records])
    for user, accepted in plan.by_user.items():
        update = plan_profile(user, {}, accepted)
        if update is not None:
            profile_update_request("uja-user-profiles-bench", update)
            session_records(update)
    assert len(plan.accepted) == len(records), "the benchmark batch must be all valid"
    assert SESSION_COMMON and plan.items and plan.metrics


def cpu_ms(work: Callable[[list[dict]], None], records: list[dict]) -> float:
    # CPU time, not wall time: the machine is shared, and other processes' load must not count.
    start = time.process_time()
    work(records)
    return (time.process_time() - start) * 1000


def import_probe(module: str, then: str = "") -> str:
    """Code that imports ``module``, runs ``then`` and prints the CPU ms of each as a JSON list."""
    return (
        "import json, time\n"
        "t0 = time.process_time()\n"
        f"import {module}\n"
        "t1 = time.process_time()\n"
        f"{then}\n"
        "print(json.dumps([(t1 - t0) * 1000, (time.process_time() - t1) * 1000]))\n"
    )


def fresh_interpreters(probe: str, runs: int, bytecode: bool) -> list[list[float]]:
    """The numbers ``probe`` prints, in ``runs`` fresh interpreters started in functions/ as in Lambda.

    The standard library has bytecode; unless ``bytecode``, the zip's packages (site-packages,
    functions/) do not (the build ships sources only), so they compile on every cold start. A
    private ``PYTHONPYCACHEPREFIX`` makes that independent of what this machine has cached.
    """
    with tempfile.TemporaryDirectory(prefix="uja-pycache-") as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": cache}
        subprocess.run([sys.executable, "-c", probe], cwd=FUNCTIONS_DIR, env=env, capture_output=True, check=True)
        if not bytecode:
            for sources in (Path(sysconfig.get_paths()["purelib"]), FUNCTIONS_DIR):
                shutil.rmtree(Path(cache) / sources.resolve().relative_to(sources.resolve().anchor), ignore_errors=True)
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return [
            json.loads(
                subprocess.run([sys.executable, "-c", probe], cwd=FUNCTIONS_DIR, env=env, capture_output=True, text=True, check=True).stdout
            )
            for _ in range(runs)
        ]


def cold_start(bytecode: bool) -> tuple[list[float], list[float]]:
    """CPU time of the handler's import and of its first batch in fresh interpreters (ms each)."""
    one = json.dumps(kinesis_batch(1))
    first_batch = f"from event_processor.rules import plan_batch, record_of\nplan_batch([record_of(r) for r in json.loads({one!r})])"
    runs = fresh_interpreters(import_probe("event_processor.handler", first_batch), IMPORT_RUNS, bytecode)
    return [imported for imported, _ in runs], [first for _, first in runs]


def main() -> int:
    records = kinesis_batch()
    domain_work(records[:100])  # warm: deferred schema builds, caches
    baseline, domain = [], []
    for _ in range(RUNS):  # interleaved, so both see the same machine load
        baseline.append(cpu_ms(bare_loop, records))
        domain.append(cpu_ms(domain_work, records))
    results = [
        bench.record(SUITE, "event_processor_domain_10k", min(domain), "ms", baseline=round(min(baseline), 3), goal="<= 5x baseline"),
    ]
    imports, firsts = cold_start(bytecode=False)
    cached, _ = cold_start(bytecode=True)
    results += [
        bench.record(SUITE, "event_processor_cold_import", statistics.median(imports), "ms", goal="< 300 ms"),
        bench.record(SUITE, "event_processor_cold_import_best", min(imports), "ms", goal="< 300 ms"),
        bench.record(SUITE, "event_processor_cold_import_bytecode", statistics.median(cached), "ms", goal="< 300 ms"),
        bench.record(SUITE, "event_processor_first_batch", statistics.median(firsts), "ms"),
    ]
    for rec in results:
        ratio = f" ({rec['ratio']}x)" if "ratio" in rec else ""
        print(f"{rec['metric']}: {rec['value']:.1f} {rec['unit']}{ratio} goal {rec['goal'] or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
