"""Checks over a whole plan, where one resource's configuration is not enough: links between resources.

checkov's plan graph loses the edges of for_each resources, so these follow the plan itself: known
values (names, ARNs built from names, policy documents) and, where a value is known only after
apply, the configuration's references traced through module inputs (``journey_guard.terraform.plans``).
Each module defines ``RULE`` and ``evaluate(view) -> [(address, passed)]``; an address the check
cannot decide is left out.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from journey_guard.terraform import plans
from policies.base import Rule

REFERENCE = re.compile(r"^(?P<resource>(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?P<type>[a-z][a-z0-9_]*)\.[\w-]+)(?P<index>\[[^\]]*\])?")
INDEX = re.compile(r"(\[[^\]]*\])$")


class PlanView:
    """A plan with the lookups the checks share."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.plan = plans.Plan("", "", raw)

    @cached_property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.plan.resources

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {a: v for a, v in self.resources.items() if v["type"] == rtype}

    def target(self, address: str, attribute: str, rtype: str) -> str | None:
        """The ``rtype`` instance that ``attribute`` of ``address`` refers to, or None when not traceable.

        ``aws_x.this[each.key]`` in a for_each resource refers to the instance with the same key.
        """
        try:
            refs = self.plan.references(address, attribute)
        except KeyError:
            return None
        found = [m for r in refs if (m := REFERENCE.match(r)) and m["type"] == rtype]
        indexed = [m["resource"] + m["index"] for m in found if m["index"]]
        if indexed:
            return indexed[0]
        own_key = INDEX.search(address)
        plain = [m["resource"] for m in found]
        if plain and own_key and any(r.endswith("each.key") for r in refs):
            return plain[0] + own_key.group(1)
        return plain[0] if plain else None


def known(value: Any) -> bool:
    return value is not None and value is not plans.UNKNOWN


@dataclass(frozen=True)
class PlanCheck:
    rule: Rule
    evaluate: Callable[[PlanView], Iterable[tuple[str, bool]]]


def run(raw: dict[str, Any]) -> list[tuple[Rule, str, bool]]:
    """Every plan check over one plan: (rule, address, passed)."""
    view = PlanView(raw)
    return [(check.rule, address, ok) for check in PLAN_CHECKS for address, ok in check.evaluate(view)]


# Last: the check modules import PlanView and known from this package.
PLAN_CHECKS = [
    PlanCheck(loaded.RULE, loaded.evaluate)
    for loaded in (importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__))
]
