"""What an apply or destroy spent its time on: resource spans from a timed log, and the critical path.

``Deployment`` writes each line of Terraform's output with its second since the step started
(``  12.34 module.x.aws_sqs_queue.this["a"]: Creating...``). From those lines each resource gets a
span (start, end); with the dependencies Terraform recorded in the state, the critical path is the
chain of spans that ended last: from the last resource, back through whichever dependency finished
last before it started. Shortening anything off that chain does not shorten the apply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journey_guard.terraform.plans import walk_resources

_EVENT = re.compile(
    r"^\s*(?P<t>\d+\.\d+) (?P<address>\S+): "
    r"(?P<event>Creating\.\.\.|Destroying\.\.\.|Modifying\.\.\.|Creation complete|Destruction complete|Modifications complete)"
)
_INDEX = re.compile(r"\[[^\]]*\]")
STARTS = ("Creating...", "Destroying...", "Modifying...")
# A managed resource done (a data source's "Read complete" is not one of the planned changes).
DONE = re.compile(r": (Creation|Destruction|Modifications) complete after ")
PLANNED = re.compile(r"Plan: (?P<add>\d+) to add, (?P<change>\d+) to change, (?P<destroy>\d+) to destroy")


@dataclass(frozen=True)
class Span:
    address: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def stamp(seconds: float, line: str) -> str:
    """One log line as ``Deployment`` writes it."""
    return f"{seconds:8.2f} {line}"


def unstamp(text: str) -> str:
    """The log as Terraform printed it."""
    return "".join(line[9:] if len(line) > 9 and line[8] == " " else line for line in text.splitlines(keepends=True))


def spans(log: str) -> dict[str, Span]:
    """Address -> span of every resource the log shows started and completed."""
    started: dict[str, float] = {}
    out: dict[str, Span] = {}
    for line in log.splitlines():
        m = _EVENT.match(line)
        if not m:
            continue
        t, address = float(m["t"]), m["address"]
        if m["event"] in STARTS:
            started[address] = t
        elif address in started:
            out[address] = Span(address, started[address], t)
    return out


def _base(address: str) -> str:
    return _INDEX.sub("", address)


def dependencies(state: Mapping[str, Any]) -> dict[str, set[str]]:
    """Resource address (instance keys dropped) -> what it depends on, from ``terraform show -json`` of a state."""
    deps: dict[str, set[str]] = {}
    for res in walk_resources(state.get("values", {}).get("root_module", {})):
        deps.setdefault(_base(res["address"]), set()).update(_base(d) for d in res.get("depends_on", []))
    return deps


def critical_path(timed: Mapping[str, Span], deps: Mapping[str, set[str]]) -> list[Span]:
    """The chain that ended last, first span first."""
    if not timed:
        return []
    by_base: dict[str, list[Span]] = {}
    for span in timed.values():
        by_base.setdefault(_base(span.address), []).append(span)
    current = max(timed.values(), key=lambda s: s.end)
    chain = [current]
    while True:
        before = [s for d in deps.get(_base(current.address), ()) for s in by_base.get(d, []) if s.end <= current.start + 0.5]
        if not before:
            break
        current = max(before, key=lambda s: s.end)
        chain.append(current)
    return chain[::-1]


def markdown(chain: list[Span], total: float) -> list[str]:
    """The critical path as a Markdown table: each span, and the idle gap before it."""
    lines = ["| resource | starts at s | takes s | waited s |", "|---|---|---|---|"]
    previous = 0.0
    for span in chain:
        lines.append(f"| `{span.address}` | {span.start:.1f} | {span.seconds:.1f} | {max(0.0, span.start - previous):.1f} |")
        previous = span.end
    lines.append(f"| (after the last resource) | {previous:.1f} | | {max(0.0, total - previous):.1f} |")
    return lines
