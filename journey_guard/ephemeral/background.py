"""One call run in a background thread, its result or exception handed to whoever waits for it.

The integration layer overlaps waits that share nothing (the harness's small cycle beside the
system's, the re-plan beside the scenarios); the waiter sees the call's own exception, not a hang.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    def __init__(self, name: str, call: Callable[[], T]) -> None:
        self.name, self._call = name, call
        self._thread: threading.Thread | None = None
        self._result: T | None = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._result = self._call()
        except BaseException as exc:  # handed to result(), which raises it in the waiting thread
            self._error = exc

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> Background[T]:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        return self

    def result(self) -> T:
        """Wait for the call (starting it if nobody did) and return what it returned, or raise what it raised."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]
