"""Each feature switch removes exactly its own resources, proven from fewer plans than one per switch.

Means, per test (dev, every switch on in the environment plan):
- the configuration's references: what decides whether a resource exists (its ``count``/``for_each``
  and those of the module calls around it, traced to the root) names its owning switch and no other;
- "only k on" plans, one per switch whose resources hide their gate in a local (map keys such as the
  alarms), plus an "all off" plan when some switch would otherwise never be off: each plan removes
  exactly the resources of the switches it turns off, adds nothing, and keeps every resource of the
  switch it leaves on.
Together they catch what a plan per switch catches: a resource gated by the wrong switch, a switch that
adds a resource, a map key gated by two switches.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from journey_guard.terraform import plans
from tests.support.plans import expect_equal, render

pytestmark = pytest.mark.slow

SWITCHES = ("timestream_enabled", "bedrock_enabled", "flink_enabled", "budget_enabled", "cost_anomaly_enabled")


def _owned(address: str, patterns: list[str]) -> bool:
    return any(address == p or (p.endswith("*") and address.startswith(p[:-1])) for p in patterns)


def _owner(address: str, spec: dict[str, Any]) -> str | None:
    owners = [s for s in SWITCHES if _owned(address, spec[s]["own"])]
    assert len(owners) <= 1, f"{address} is listed under several switches: {owners}"
    return owners[0] if owners else None


def _gate(plan: plans.Plan, address: str) -> tuple[set[str], bool]:
    """The switches that visibly decide whether ``address`` exists, and whether a local might hide more.

    The plan's configuration has no locals, and a local may depend on anything its module sees: any
    switch may hide in one.
    """
    refs = plan.existence_references(address)
    switches = {m[1] for r in refs if (m := re.fullmatch(r"var\.(\w+)", r)) and m[1] in SWITCHES}
    return switches, any(re.match(r"(module\.\w+\.)*local\.", r) for r in refs)


def _plans_needed(plan: plans.Plan, spec: dict[str, Any]) -> list[frozenset[str]]:
    """The sets of switches left on, one plan each: "only k on" for every k owning a resource a local
    might gate (it is on there, every other switch off), then "all off" if some switch would be on in
    every one of those plans (each switch must be off somewhere)."""
    hidden = sorted({o for a in plan.resources if (o := _owner(a, spec)) and _gate(plan, a)[1]})
    needed = [frozenset({k}) for k in hidden]
    if len(needed) < 2:
        needed.append(frozenset())
    return needed


@pytest.fixture(scope="module")
def spec(expectations: dict[str, Any]) -> dict[str, Any]:
    return expectations["dev"]["switches"]


@pytest.fixture(scope="module")
def on(env_plans: dict[str, plans.Plan]) -> plans.Plan:
    plan = env_plans["dev"]
    assert all(plan.variables[s] is True for s in SWITCHES), "dev must plan with every switch on"
    return plan


@pytest.fixture(scope="module")
def partial_plans(on: plans.Plan, spec: dict[str, Any]) -> dict[frozenset[str], plans.Plan]:
    return {left_on: render("dev", **{s: s in left_on for s in SWITCHES}) for left_on in _plans_needed(on, spec)}


def test_what_gates_a_resource_names_its_own_switch(on: plans.Plan, spec: dict[str, Any]) -> None:
    """Means: the configuration's references (no extra plan)."""
    wrong = {}
    for address in on.resources:
        owner = _owner(address, spec)
        switches, hidden = _gate(on, address)
        allowed = {owner} if owner else set()
        # A gate partly in a local may show fewer switches (the partial plans prove the rest), never others.
        if (switches - allowed) if hidden else switches != allowed:
            wrong[address] = f"gated by {sorted(switches)}{' and a local' if hidden else ''}; its owner is {owner}"
    expect_equal({}, wrong, "resources whose count/for_each names the wrong switch")


@pytest.mark.spec("feature-switches")
def test_each_partial_plan_removes_exactly_the_resources_of_the_switches_it_turns_off(
    on: plans.Plan, spec: dict[str, Any], partial_plans: dict[frozenset[str], plans.Plan]
) -> None:
    """Means: one "only k on" plan per switch with a hidden gate (and "all off" if needed)."""
    assert partial_plans, "no partial plan: the switches would go unproven"
    off_somewhere = set(SWITCHES) - frozenset.intersection(*partial_plans)
    assert off_somewhere == set(SWITCHES), f"switches never turned off: {sorted(set(SWITCHES) - off_somewhere)}"
    for left_on, plan in partial_plans.items():
        label = f"only {sorted(left_on) or 'nothing'} on"
        assert {s for s in SWITCHES if plan.variables[s]} == left_on
        removed, added = set(on.resources) - set(plan.resources), set(plan.resources) - set(on.resources)
        expect_equal([], sorted(added), f"{label}: resources added")
        want = sorted(a for a in on.resources if (o := _owner(a, spec)) and o not in left_on)
        expect_equal(want, sorted(removed), f"{label}: resources removed")


@pytest.mark.spec("feature-switches", "feature-switch-defaults")
def test_each_switch_owns_the_resources_its_spec_counts(on: plans.Plan, spec: dict[str, Any]) -> None:
    """Means: the environment plan and the inventory (no extra plan)."""
    for switch in SWITCHES:
        owned = [a for a in on.resources if _owner(a, spec) == switch]
        assert len(owned) == spec[switch]["count"], f"{switch}: {sorted(owned)}"
        for pattern in spec[switch]["own"]:
            assert any(_owned(a, [pattern]) for a in owned), f"{switch}: {pattern} matches nothing"


def test_every_feature_switch_of_the_root_is_covered(env_plans: dict[str, plans.Plan], expectations: dict[str, Any]) -> None:
    # A switch added to variables.tf without an entry here would go untested: fail instead.
    declared = {name for name in env_plans["dev"].variables if name.endswith("_enabled")} - {"sagemaker_notebook_enabled"}
    assert declared == set(SWITCHES) == set(expectations["dev"]["switches"])
