"""Destroy, then prove nothing of the run survives (runs last; the fixture repeats it on failure)."""

from __future__ import annotations

from tests.support.integration import Cycle


def test_destroy_leaves_nothing_behind(cycle: Cycle) -> None:
    cycle.teardown()
    assert cycle.destroyed, "terraform destroy failed:\n" + "\n".join(s.detail for s in cycle.deployment.steps if not s.ok)
    assert cycle.leaks is not None and cycle.leaks.clean, "survivors after destroy:\n" + cycle.leaks.markdown()
