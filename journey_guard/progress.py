"""Progress lines for long steps (plan renders, apply, destroy), so a person watching CI knows what runs.

One sink for the whole process: standard error by default; a pytest plugin points it at its terminal
reporter (``tests/conftest.py``), which is not captured. ``None`` silences it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


SINK: Callable[[str], None] | None = _stderr


def emit(topic: str, line: str) -> None:
    if SINK is not None:
        SINK(f"[{topic}] {line}")
