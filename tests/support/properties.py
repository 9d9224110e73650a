"""Hypothesis profiles of the unit layer, chosen with ``HYPOTHESIS_PROFILE`` (default ``ci``).

- ``ci``: Hypothesis' default 100 examples per property; the shared 2-core runner stays fast.
- ``thorough``: ten times as many (nightly, or when changing rules or the event processor).

Properties whose examples are costly (whole batches against moto) take a share of the profile's
count with ``examples(fraction)``, so ``thorough`` scales them too.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
# No deadline: on a loaded shared runner single-example timings say nothing about the code.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=100, **_COMMON)
settings.register_profile("thorough", max_examples=1000, **_COMMON)


def load_profile() -> str:
    """Activate the profile ``HYPOTHESIS_PROFILE`` names (``ci`` when unset); returns its name."""
    name = os.environ.get(PROFILE_VARIABLE) or "ci"
    settings.load_profile(name)
    return name


def examples(fraction: float) -> int:
    """A share of the active profile's ``max_examples`` (at least 5)."""
    return max(5, round(settings.default.max_examples * fraction))
