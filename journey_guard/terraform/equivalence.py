"""Prove that a refactor of the Terraform tree changes nothing deployed.

Hermetic plans have no state, so Terraform never shows them a move. Two proofs instead:

* ``compare(old, new, moves)``: every address of the old tree's plan maps through the new tree's
  ``moved`` blocks to an address of the new plan with identical planned values, and the new plan
  has no other address (tests/equivalence/test_plans.py: every environment and the bootstrap).
* on moto, the old tree applied and the new one planned against that state: only moves, no
  create, update or destroy (tests/equivalence/test_moto.py).

``BASE_REF`` is the tree before the refactor (its states are the ones the ``moved`` blocks must
carry over), ``REFACTOR_REF`` the tree after it. Moved blocks stay as long as a state of that age
may exist. Both proofs run in ``nox -s equivalence`` (nightly), not in the gate: they prove one
past change, and the old tree's renders and apply would add minutes to every run.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from journey_guard.paths import REPO
from journey_guard.terraform import hermetic, plans

# The refactor this proves (issue 22: the bucket module, the context, files by concern, then one KMS
# grant and one service-role trust): the tree before it (the states deployed so far) and the tree it
# landed as. Both pinned, so the proof holds as the Terraform moves on; a team proving its own
# refactor exports its two refs the same way (export_tree) and runs compare / check_state_plan.
BASE_REF = "8d8d885425d16cd1b8a6f5d2a1cb56daa745cc62"
REFACTOR_REF = "bbdd32e3ca34e9389358fb57359a7e6bc8fb6a7b"
# Values that differ between two builds of the same sources, not between two trees: the moto proof
# ignores them (its old tree is applied with the build at hand, the state may be older).
ARTIFACT_HASHES = ("source_code_hash", "etag", "source_hash")

_ATTR = re.compile(r"^\s*(from|to)\s*=\s*(\S+)\s*$", re.M)
_MODULE = re.compile(r"module\.([A-Za-z0-9_-]+)(\[[^\]]*\])?\.")


def export_tree(ref: str, dst: Path, repo: Path = REPO) -> Path:
    """``terraform/`` as of ``ref`` under ``dst``; a clear error when the commit is not in the clone."""
    proc = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", ref, "terraform"], capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"cannot export terraform/ at {ref} (a shallow clone? fetch it): {proc.stderr.decode().strip()}")
    with tarfile.open(fileobj=BytesIO(proc.stdout)) as archive:
        archive.extractall(dst, filter="data")
    return dst / "terraform"


def moved_blocks(directory: Path) -> list[tuple[str, str]]:
    """The (from, to) pairs of the ``moved`` blocks in one module directory's .tf files."""
    pairs = []
    for path in sorted(directory.glob("*.tf")):
        for header, body in hermetic.top_blocks(path.read_text()):
            if header == "moved":
                attrs = dict(_ATTR.findall(body))
                if set(attrs) != {"from", "to"}:
                    raise ValueError(f"{path}: a moved block needs from and to, has {sorted(attrs)}")
                pairs.append((attrs["from"], attrs["to"]))
    return pairs


def module_moves(plan: plans.Plan, tree: Path) -> dict[tuple[str, ...], list[tuple[str, str]]]:
    """Module call path (names, no instance keys) -> the moved blocks of the module it calls."""
    out: dict[tuple[str, ...], list[tuple[str, str]]] = {}

    def walk(module: Mapping[str, Any], path: tuple[str, ...], directory: Path) -> None:
        out[path] = moved_blocks(directory)
        for name, call in module.get("module_calls", {}).items():
            walk(call.get("module", {}), (*path, name), (directory / call["source"]).resolve())

    walk(plan.configuration.get("root_module", {}), (), tree.resolve())
    return out


def _split(address: str) -> tuple[list[str], list[str], str]:
    """``module.a["k"].module.b.x.y`` -> (["a", "b"], ['module.a["k"]', "module.b"], "x.y")."""
    names, parts, pos = [], [], 0
    while m := _MODULE.match(address, pos):
        names.append(m.group(1))
        parts.append(m.group(0)[:-1])
        pos = m.end()
    return names, parts, address[pos:]


def _move_one(rest: str, moves: list[tuple[str, str]]) -> str | None:
    for src, dst in moves:
        if rest == src:
            return dst
        # A move of a whole resource or module carries its instance keys and contents.
        if rest.startswith((src + "[", src + ".")) and "[" not in src.rsplit(".", 1)[-1]:
            return dst + rest[len(src) :]
    return None


def new_address(address: str, moves: Mapping[tuple[str, ...], list[tuple[str, str]]]) -> str:
    """Where ``address`` of the old state is after the new tree's moved blocks (chains followed)."""
    for _ in range(20):
        names, parts, resource = _split(address)
        for depth in range(len(names), -1, -1):
            rest = ".".join([*parts[depth:], resource])
            moved = _move_one(rest, moves.get(tuple(names[:depth]), []))
            if moved is not None:
                address = ".".join([*parts[:depth], moved])
                break
        else:
            return address
    raise ValueError(f"moved blocks loop for {address}")


@dataclass
class Report:
    moved: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # old addresses whose target the new plan lacks
    added: list[str] = field(default_factory=list)  # new addresses no old one maps to
    changed: dict[str, str] = field(default_factory=dict)  # new address -> short diff

    @property
    def ok(self) -> bool:
        return not (self.missing or self.added or self.changed)

    def describe(self) -> str:
        lines = [f"missing after the moves: {a}" for a in self.missing]
        lines += [f"added: {a}" for a in self.added]
        lines += [f"changed: {a}\n{diff}" for a, diff in self.changed.items()]
        return "\n".join(lines) or f"equivalent ({len(self.moved)} moves)"


def _canonical(value: Any) -> Any:
    """A policy document with its statements as a sorted list: IAM, and the provider's own diff
    (awspolicyequivalence), ignore their order; any other value as it is."""
    if not (isinstance(value, str) and value.startswith("{")):
        return value
    try:
        document = json.loads(value)
    except ValueError:
        return value
    if not (isinstance(document, dict) and isinstance(document.get("Statement"), list)):
        return value
    return {**document, "Statement": sorted(json.dumps(s, sort_keys=True) for s in document["Statement"])}


def _without(values: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: _canonical(v) for k, v in values.items() if k not in keys}


def compare(
    old: plans.Plan, new: plans.Plan, moves: Mapping[tuple[str, ...], list[tuple[str, str]]], ignore: tuple[str, ...] = ()
) -> Report:
    """Old plan vs new plan through ``moves``: same addresses after the moves, identical values but ``ignore``
    (policy documents compared as sets of statements)."""
    report = Report()
    mapped = {}
    for address in old.resources:
        target = new_address(address, moves)
        mapped[target] = address
        if target != address:
            report.moved[address] = target
        if target not in new.resources:
            report.missing.append(address)
            continue
        before, after = (_without(p.resources[a], ignore) for p, a in ((old, address), (new, target)))
        if before != after:
            report.changed[target] = plans.short_diff(before, after)
    report.added = sorted(set(new.resources) - set(mapped))
    return report


def state_addresses(state: Mapping[str, Any]) -> list[str]:
    """Managed resource addresses of ``terraform show -json`` of a state."""
    return sorted(r["address"] for r in plans.walk_resources(state.get("values", {}).get("root_module", {})) if r.get("mode") == "managed")


@dataclass
class StateReport:
    moved: dict[str, str]  # previous address -> address, as the plan moved them
    expected_moves: dict[str, str]  # the same, from the moved blocks
    artifact_updates: list[str]  # updates of ARTIFACT_HASHES alone (excepted)
    changes: list[str]  # anything else: "address [actions]"

    @property
    def ok(self) -> bool:
        return not self.changes and self.moved == self.expected_moves


def _only_artifacts(change: Mapping[str, Any]) -> bool:
    before, after = change.get("before") or {}, change.get("after") or {}
    differing = {k for k in {*before, *after} if before.get(k) != after.get(k)} | set(_flat_true(change.get("after_unknown")))
    return change["actions"] == ["update"] and bool(differing) and differing <= set(ARTIFACT_HASHES)


def _flat_true(unknown: Any) -> list[str]:
    return [k for k, v in (unknown or {}).items() if v is True] if isinstance(unknown, dict) else []


def check_state_plan(state: Mapping[str, Any], plan_json: dict[str, Any], tree: Path) -> StateReport:
    """The new tree's plan against the old tree's applied state: moves only, the ones expected."""
    moves = module_moves(plans.Plan(env=tree.name, key="state", json=plan_json), tree)
    expected = {a: b for a in state_addresses(state) if (b := new_address(a, moves)) != a}
    moved, artifacts, changes = {}, [], []
    for rc in plan_json.get("resource_changes", []):
        if "previous_address" in rc:
            moved[rc["previous_address"]] = rc["address"]
        actions = rc["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        (artifacts if _only_artifacts(rc["change"]) else changes).append(f"{rc['address']} {actions}")
    return StateReport(moved, expected, artifacts, changes)
