"""A background call hands its result, or its own exception, to whoever waits for it."""

from __future__ import annotations

import threading

import pytest

from journey_guard.ephemeral.background import Background


def test_the_waiter_gets_the_result_of_a_call_started_earlier() -> None:
    release, names = threading.Event(), []

    def call() -> int:
        names.append(threading.current_thread().name)
        release.wait(5)
        return 42

    job = Background("job", call).start()
    assert job.started and job.start() is job  # starting twice runs it once
    release.set()
    assert job.result() == 42 and job.result() == 42
    assert names == ["job"]


def test_the_waiter_gets_the_calls_own_exception() -> None:
    def call() -> None:
        raise ValueError("apply failed: the step and its cause")

    with pytest.raises(ValueError, match="the step and its cause"):
        Background("job", call).result()  # never started: result() starts it
