"""Run nox sessions side by side (``nox -s gate``, ``nox -s tests``), as ``tox p`` does.

Most of a session's time is waiting (package downloads, ``terraform plan``, the provider's AWS
waiters during an apply, subprocesses), so sessions run at once overlap their waits. Each child
``nox -s <name>`` writes to ``build/sessions/<name>.log`` (and the run's times to ``summary.json``); its lines are also echoed live with the
session's name in front, so a person watching CI sees every layer move. Every session runs to the
end even when another fails (all failures in one run), then a table gives each result and time.
Shared steps are safe to race: the build and ``terraform init`` take file locks, the toolchain
writes atomically, and plan renders share a content-keyed cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from journey_guard.paths import BUILD_DIR, REPO


@dataclass(frozen=True)
class Outcome:
    session: str
    returncode: int
    seconds: float
    log: Path

    @property
    def passed(self) -> bool:
        return self.returncode == 0


def _pump(name: str, stream: TextIO, log: TextIO, out: TextIO, lock: threading.Lock, width: int) -> None:
    for line in stream:
        log.write(line)
        with lock:
            out.write(f"{name:<{width}} | {line}")
            out.flush()


def _run_one(name: str, runner: Sequence[str], logs: Path, out: TextIO, lock: threading.Lock, width: int) -> Outcome:
    path = logs / f"{name}.log"
    start = time.monotonic()
    with path.open("w") as log:
        # Into a pipe Python writes in blocks: unbuffered, a session's lines arrive as it prints them.
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        child = subprocess.Popen(
            [*runner, "-s", name], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1, env=env
        )
        assert child.stdout is not None  # stdout=PIPE
        _pump(name, child.stdout, log, out, lock, width)
        returncode = child.wait()
    outcome = Outcome(name, returncode, time.monotonic() - start, path)
    with lock:
        out.write(f"{name:<{width}} | == {'passed' if outcome.passed else 'FAILED'} in {outcome.seconds:.0f} s\n")
        out.flush()
    return outcome


def run(
    names: Sequence[str],
    jobs: int | None = None,
    runner: Sequence[str] = (sys.executable, "-m", "nox"),
    logs: Path = BUILD_DIR / "sessions",
    out: TextIO = sys.stdout,
) -> list[Outcome]:
    """Run ``names`` at most ``jobs`` at a time (default: all at once); return their outcomes in order."""
    if not names:
        raise ValueError("no session to run")
    jobs = len(names) if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    logs.mkdir(parents=True, exist_ok=True)
    lock, slots = threading.Lock(), threading.Semaphore(jobs)
    width = max(map(len, names))
    outcomes: dict[str, Outcome] = {}

    def worker(name: str) -> None:
        with slots:
            outcomes[name] = _run_one(name, runner, logs, out, lock, width)

    threads = [threading.Thread(target=worker, args=(name,), name=f"session-{name}") for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = [outcomes[name] for name in names]
    # What benchmarks/gate.py reads: each session's seconds within the run.
    summary = [{"session": o.session, "returncode": o.returncode, "seconds": round(o.seconds, 2)} for o in ordered]
    (logs / "summary.json").write_text(json.dumps({"jobs": jobs, "sessions": summary}, indent=2) + "\n")
    return ordered


def table(outcomes: Sequence[Outcome]) -> str:
    """The closing summary: one line a session, the log to read for the failed ones."""
    width = max(len("session"), *(len(o.session) for o in outcomes))
    lines = [f"{'session':<{width}}  result  seconds  log"]
    for o in outcomes:
        log = o.log.relative_to(REPO) if o.log.is_relative_to(REPO) else o.log
        lines.append(f"{o.session:<{width}}  {'passed' if o.passed else 'FAILED':<6}  {o.seconds:7.1f}  {log}")
    return "\n".join(lines)
