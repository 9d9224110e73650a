"""Resource inventory per environment: count per type (from the spec) and every address."""

from __future__ import annotations

from typing import Any

import pytest

from journey_guard import plans

from .conftest import expect_equal

pytestmark = pytest.mark.slow


def test_count_per_type(plan: plans.Plan, expected: dict[str, Any]) -> None:
    want = {rtype: n for rtype, n in expected["counts"].items() if n}
    expect_equal(want, plan.counts(), f"{plan.env}: resources per type")


def test_addresses(plan: plans.Plan, expected: dict[str, Any]) -> None:
    addresses = expected.get("addresses")
    assert addresses, (
        f"inventory/{plan.env}.yaml has no `addresses`: run python -m journey_guard.plans {plan.env} --tfvars tests/plan/test.tfvars --addresses"
    )
    expect_equal(addresses, plan.by_type(), f"{plan.env}: resource addresses")


def test_inventory_files_agree_with_their_counts(expected: dict[str, Any]) -> None:
    # The addresses are recorded from a reviewed plan; the counts come from the spec: they must agree.
    listed = {rtype: len(addresses) for rtype, addresses in expected["addresses"].items()}
    expect_equal({t: n for t, n in expected["counts"].items() if n}, listed, f"inventory/{expected['environment']}.yaml")
