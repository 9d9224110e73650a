"""Plan inventories: what a rendered plan must hold, each expected value tied to the spec text that fixes it.

An inventory is a YAML file (in the manner of cloud-foundation-fabric's plan inventories)::

    plan: {env: dev, tfvars: [tests/plan/test.tfvars]}     # or {root: terraform/bootstrap, var_files: [...], variables: {...}}
    include: [common.yaml]                # merged first: an address's attributes add up (none set twice)
    values:                               # address, or "type:<resource type>" for every resource of it
      module.streaming.aws_kinesis_stream.this:
        shard_count: !spec:kinesis-shard-count 1
    counts:                               # resource type -> number of resources in the plan
      aws_kms_key: !spec:keys-domains 4
    counts_complete: true                 # and no resource type missing from `counts`
    outputs:                              # root output -> expected value
      budget_name: !spec:budget uja-budget-{q}
    rejects:                              # variable values that validation must reject
      - !spec:kinesis-shard-count {kinesis_shard_count: 0}

Every expected leaf must sit under a ``!spec:<fact id>`` tag: the id of a fact of
``docs/spec-facts.yaml`` whose quote occurs in ``docs/system.md``. A leaf without one is rejected,
and one tag may cover at most ``MAX_LEAVES`` leaves, so an inventory cannot be a snapshot of a plan.

Comparison is by subset: a mapping's expected keys must be present and match (other keys are not
looked at); a list must have the same length and match element by element; a string planned value
holding JSON (policies) is parsed first when a mapping or list is expected. Expected strings are
templates: ``{q}``, ``{env}``, ``{account}``, ``{region}``, ``{partition}`` and every root variable
(``{availability_zones[0]}``; see ``names``).

    python -m journey_guard.terraform.inventory draft tests/plan/inventory/dev.yaml --address <address> [--type T] [--outputs]

prints the planned values as an inventory block whose leaves are tagged ``!spec:REVIEW`` (no such
fact: the validator refuses the block until each kept leaf names its fact).

Imports only the standard library and PyYAML (the plan helper is imported by the CLI alone).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from journey_guard.paths import REPO

SPEC_TAG = "!spec:"
DRAFT_FACT = "REVIEW"
# One spec quote rarely fixes more values than this; more under one tag is a pasted plan.
MAX_LEAVES = 40
TYPE_SELECTOR = "type:"
KEYS = {"plan", "include", "values", "counts", "counts_complete", "outputs", "rejects"}
VALIDATION_FAILURE = "Invalid value for variable"
ABSENT = "(absent)"


class InventoryError(ValueError):
    """An inventory file or the facts it references is malformed; the message names file and field."""


@dataclass(frozen=True)
class Spec:
    """A value of an inventory and the spec fact that fixes it (``where`` = file:line of the tag)."""

    fact: str
    value: Any
    where: str


class Mismatch(NamedTuple):
    """One expected leaf the plan does not hold: its block (address, counts, outputs) and path in it."""

    block: str
    path: str
    fact: str
    expected: Any
    actual: Any


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    # PyYAML keeps the last of two equal keys: in an inventory that silently drops expectations.
    keys = [loader.construct_object(k, deep=True) for k, _ in node.value]
    for key in {k for k in keys if keys.count(k) > 1}:
        raise InventoryError(f"{node.start_mark.name}:{node.start_mark.line + 1}: key {key!r} appears twice")
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_PLAIN = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}


def _construct_spec(loader: _Loader, fact: str, node: yaml.Node) -> Spec:
    if isinstance(node, yaml.ScalarNode):
        # The tag hides the scalar's own type: resolve it as YAML would have (plain 1 is an int, "1" a string).
        plain = node.style is None
        tag = loader.resolve(yaml.ScalarNode, node.value, (plain, not plain))
        node = yaml.ScalarNode(tag, node.value, node.start_mark, node.end_mark, node.style)
    else:
        node = type(node)(_PLAIN[type(node)], node.value, node.start_mark, node.end_mark, node.flow_style)
    where = f"{Path(node.start_mark.name).name}:{node.start_mark.line + 1}"
    return Spec(fact, loader.construct_object(node, deep=True), where)


_Loader.add_multi_constructor(SPEC_TAG, _construct_spec)


_PLAIN_STYLE = "plain"


def _represent_spec(dumper: yaml.SafeDumper, spec: Spec) -> yaml.Node:
    node = dumper.represent_data(spec.value)
    node.tag = SPEC_TAG + spec.fact
    if isinstance(node, yaml.ScalarNode) and not isinstance(spec.value, str):
        node.style = _PLAIN_STYLE  # 1, true, null: written plain so they read back as themselves
    return node


class _Dumper(yaml.SafeDumper):
    def choose_scalar_style(self) -> str:
        # A tagged scalar is quoted by default; a tagged number or bool must stay plain.
        return "" if self.event.style == _PLAIN_STYLE else super().choose_scalar_style()


_Dumper.add_representer(Spec, _represent_spec)


def load_file(path: Path) -> dict[str, Any]:
    """One inventory file with its includes merged in (includes first, this file on top)."""
    try:
        with path.open() as stream:  # a named stream: each tag knows its file and line
            data = yaml.load(stream, Loader=_Loader) or {}  # _Loader is a SafeLoader
    except (OSError, yaml.YAMLError) as exc:
        raise InventoryError(f"{path}: cannot read the inventory: {exc}") from exc
    if not isinstance(data, dict) or set(data) - KEYS:
        raise InventoryError(f"{path}: unknown top-level keys {sorted(set(data) - KEYS)} (allowed: {sorted(KEYS)})")
    merged: dict[str, Any] = {}
    for name in data.get("include", []):
        _merge(merged, load_file(path.parent / name), path)
    _merge(merged, {k: v for k, v in data.items() if k != "include"}, path)
    merged["include"] = list(data.get("include", []))
    merged["source"] = path
    return merged


def _merge(into: dict[str, Any], layer: Mapping[str, Any], source: Path) -> None:
    for key, value in layer.items():
        if key == "rejects":
            into[key] = [*into.get(key, []), *value]
        elif key == "values" and isinstance(value, dict):
            values = into.setdefault(key, {})
            for address, attributes in value.items():
                old, new = _spread(values.get(address)), _spread(attributes)
                if old is None:
                    values[address] = attributes
                    continue
                # Attributes add up; one set twice would drop the other file's nested expectations.
                twice = set(old) & set(new) if isinstance(old, dict) and isinstance(new, dict) else {"(the whole block)"}
                if twice:
                    raise InventoryError(f"{source}: values.{address}: {sorted(twice)} already set by an included file")
                values[address] = {**old, **new}
        elif key in ("counts", "outputs") and isinstance(value, dict):
            if twice := set(into.get(key, {})) & set(value):
                raise InventoryError(f"{source}: {key}: {sorted(twice)} already set by an included file")
            into[key] = {**into.get(key, {}), **value}
        else:
            into[key] = value


def _spread(block: Any) -> Any:
    """A tagged mapping as a mapping of tagged values (the same facts), so blocks merge by attribute."""
    if isinstance(block, Spec) and isinstance(block.value, dict):
        return {k: v if isinstance(v, Spec) else Spec(block.fact, v, block.where) for k, v in block.value.items()}
    return block


# ---------------------------------------------------------------------------
# Facts and references
# ---------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Whitespace collapsed: a quote may wrap where the spec's lines wrap."""
    return " ".join(text.split())


def leaves(value: Any, path: str = "", fact: str | None = None) -> Iterator[tuple[str, str | None, Any]]:
    """(path, fact, leaf) for every leaf below ``value``; empty mappings and lists are leaves too."""
    if isinstance(value, Spec):
        yield from leaves(value.value, path, value.fact)
    elif isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key), fact)
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from leaves(item, f"{path}[{i}]", fact)
    else:
        yield path, fact, value


def _specs(value: Any, path: str = "") -> Iterator[tuple[str, Spec]]:
    if isinstance(value, Spec):
        yield path, value
        value = value.value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _specs(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _specs(item, f"{path}[{i}]")


def references(inventory: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(fact, path, file:line) for every spec tag of an inventory (the coverage report lists them)."""
    for section in ("values", "counts", "outputs", "rejects"):
        for path, spec in _specs(inventory.get(section, {}), section):
            yield spec.fact, path, spec.where


def check_references(inventory: Mapping[str, Any], facts: Mapping[str, Any]) -> None:
    """Every leaf under a known fact, no tag over ``MAX_LEAVES`` leaves; raises ``InventoryError``."""
    source = inventory.get("source", "inventory")
    problems = []
    for section in ("values", "counts", "outputs", "rejects"):
        for path, fact, _ in leaves(inventory.get(section) or {}, section) if inventory.get(section) else ():
            if fact is None:
                problems.append(f"{path}: no spec reference (tag the value with {SPEC_TAG}<fact id>)")
        for path, spec in _specs(inventory.get(section, {}), section):
            if spec.fact not in facts:
                problems.append(f"{path} ({spec.where}): {SPEC_TAG}{spec.fact} is not a fact of docs/spec-facts.yaml")
            count = sum(1 for _ in leaves(spec.value))
            if count > MAX_LEAVES:
                problems.append(f"{path} ({spec.where}): one spec reference over {count} leaves (at most {MAX_LEAVES}): split it")
    for i, case in enumerate(inventory.get("rejects", [])):
        if not (isinstance(case, Spec) and isinstance(case.value, dict) and case.value):
            problems.append(f"rejects[{i}]: must be {SPEC_TAG}<fact> {{variable: out-of-range value, ...}}")
    if problems:
        raise InventoryError(f"{source}:\n  " + "\n  ".join(problems))


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------
def names(variables: Mapping[str, Any]) -> dict[str, Any]:
    """Template names for expected strings: the root variables plus the usual short names."""
    out = {k: v for k, v in variables.items() if v is not None}
    short = {"env": "environment", "account": "account_id", "region": "aws_region", "partition": "aws_partition"}
    out.update({alias: variables[name] for alias, name in short.items() if variables.get(name) is not None})
    if variables.get("environment"):
        # The qualifier of every name: <env>[-<name_suffix>] (spec section 1).
        out["q"] = "-".join(p for p in (variables["environment"], variables.get("name_suffix")) if p)
    return out


def fill(template: Any, known: Mapping[str, Any]) -> Any:
    """``template`` with ``{name}`` placeholders filled (mappings and lists recursively; specs unwrapped)."""
    if isinstance(template, Spec):
        return fill(template.value, known)
    if isinstance(template, str):
        try:
            return template.format_map(known)
        except (KeyError, ValueError, IndexError) as exc:
            raise InventoryError(f"{template!r}: unknown template name {exc} (known: {sorted(known)})") from exc
    if isinstance(template, list):
        return [fill(t, known) for t in template]
    if isinstance(template, dict):
        return {k: fill(t, known) for k, t in template.items()}
    return template


def _json(actual: Any) -> Any:
    if isinstance(actual, str) and actual[:1] in "[{":
        try:
            return json.loads(actual)
        except ValueError:
            return actual
    return actual


def _same(expected: Any, actual: Any) -> bool:
    # True == 1 in Python; in a plan a bool and a number are different values.
    return isinstance(expected, bool) == isinstance(actual, bool) and expected == actual


def compare(expected: Any, actual: Any, known: Mapping[str, Any], *, block: str, path: str = "", fact: str = "") -> list[Mismatch]:
    """Mismatches of ``actual`` against the subset ``expected`` (empty when it holds)."""
    if isinstance(expected, Spec):
        return compare(expected.value, actual, known, block=block, path=path, fact=expected.fact)
    if isinstance(expected, dict | list):
        actual = _json(actual)
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key, item in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(Mismatch(block, sub, _fact(item, fact), fill(item, known), ABSENT))
            else:
                out.extend(compare(item, actual[key], known, block=block, path=sub, fact=fact))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        if path.rsplit(".", 1)[-1] == "Statement":
            actual = _by_sid(expected, actual)
        return [
            m
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for m in compare(e, a, known, block=block, path=f"{path}[{i}]", fact=fact)
        ]
    want = fill(expected, known)
    return [] if not isinstance(want, dict | list) and _same(want, actual) else [Mismatch(block, path, fact, want, actual)]


def _by_sid(expected: list[Any], actual: list[Any]) -> list[Any]:
    """A policy's statements in the inventory's order, matched by Sid: IAM ignores their order. When
    the Sids are not all present, distinct and the same on both sides, the plan's order stands."""
    want = [s.get("Sid") if isinstance(s := _plain(e), dict) else None for e in expected]
    have = {s.get("Sid"): s for s in actual if isinstance(s, dict)}
    if None in want or len(set(want)) != len(want) or len(have) != len(actual) or set(want) != set(have):
        return actual
    return [have[sid] for sid in want]


def _fact(item: Any, fact: str) -> str:
    return item.fact if isinstance(item, Spec) else fact


def validate(
    inventory: Mapping[str, Any], resources: Mapping[str, Mapping[str, Any]], outputs: Mapping[str, Any], known: Mapping[str, Any]
) -> list[Mismatch]:
    """Every mismatch between an inventory and a plan's managed resources (address -> values) and outputs."""
    out: list[Mismatch] = []
    for selector, expected in inventory.get("values", {}).items():
        if selector.startswith(TYPE_SELECTOR):
            rtype = selector[len(TYPE_SELECTOR) :]
            matched = {a: v for a, v in resources.items() if v.get("type") == rtype}
            if not matched:
                out.append(Mismatch(selector, "", _fact(expected, ""), f"resources of type {rtype}", ABSENT))
        else:
            matched = {selector: resources[selector]} if selector in resources else {}
            if not matched:
                out.append(Mismatch(selector, "", _first_fact(expected), "a planned resource", ABSENT))
        for address, values in matched.items():
            out.extend(compare(expected, values, known, block=address))
    counts: dict[str, int] = {}
    for values in resources.values():
        counts[values["type"]] = counts.get(values["type"], 0) + 1
    expected_counts = inventory.get("counts", {})
    for rtype, n in expected_counts.items():
        out.extend(compare(n, counts.get(rtype, 0), known, block="counts", path=rtype))
    if inventory.get("counts_complete"):
        out.extend(Mismatch("counts", t, "", ABSENT, n) for t, n in sorted(counts.items()) if t not in expected_counts)
    for name, expected in inventory.get("outputs", {}).items():
        out.extend(compare(expected, outputs.get(name, ABSENT), known, block="outputs", path=name))
    return out


def _first_fact(value: Any) -> str:
    return next((fact for _, fact, _ in leaves(value) if fact), "")


# ---------------------------------------------------------------------------
# Rejected variables (validation ranges)
# ---------------------------------------------------------------------------
def reject_batches(inventory: Mapping[str, Any]) -> list[list[Spec]]:
    """The ``rejects`` cases packed into as few plans as possible (Terraform reports every failing
    variable of a plan at once), never two values of one variable in one plan. A case's first
    variable is the one whose validation must fail; the others are the values it is checked against.
    Such a cross-variable case is planned alone: Terraform skips a validation that reads a variable
    whose own validation failed, so another case's invalid value could hide it."""
    batches: list[list[Spec]] = []
    for case in inventory.get("rejects", []):
        alone = len(case.value) > 1
        batch = (
            None
            if alone
            else next((b for b in batches if len(b[0].value) == 1 and not {v for c in b for v in c.value} & set(case.value)), None)
        )
        if batch is None:
            batches.append(batch := [])
        batch.append(case)
    return batches


def tfvars_text(cases: list[Spec]) -> str:
    """One ``name = value`` line per variable (JSON values are HCL), so each diagnostic names its line."""
    return "".join(f"{name} = {json.dumps(value)}\n" for case in cases for name, value in case.value.items())


def rejected_variables(diagnostics: str) -> set[str]:
    """Variables whose validation failed: the subject line (``N: name = value``) of each
    "Invalid value for variable" diagnostic of a plan given a ``tfvars_text`` file."""
    found: set[str] = set()
    for chunk in diagnostics.split(VALIDATION_FAILURE)[1:]:
        subject = re.search(r"(?m)^\W*\d+: ([A-Za-z0-9_]+)\s*=", chunk)
        if subject:
            found.add(subject[1])
    return found


def unrejected(cases: list[Spec], diagnostics: str | None) -> list[str]:
    """The cases of one plan whose variable was not rejected (``diagnostics`` None: the plan succeeded)."""
    rejected = rejected_variables(diagnostics or "")
    out = []
    for case in cases:
        name = next(iter(case.value))
        if name not in rejected:
            out.append(f"{tfvars_text([case]).strip()!r} [{case.fact}, {case.where}] was accepted: expected a validation error naming it")
    return out


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, Spec):
        return _plain(value.value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, str | int | float | bool) else repr(value)


def short_diff(expected: Any, actual: Any, *, context: int = 1, limit: int = 40) -> str:
    """Unified diff of two values rendered as YAML, at most ``limit`` lines (the rest counted)."""

    def dump(value: Any) -> list[str]:
        return yaml.safe_dump(_plain(value), sort_keys=True, default_flow_style=False, width=200).splitlines()

    lines = list(difflib.unified_diff(dump(expected), dump(actual), "expected", "plan", n=context, lineterm=""))
    if len(lines) > limit:
        lines = [*lines[:limit], f"... {len(lines) - limit} more diff lines"]
    return "\n".join(lines)


def report(mismatches: list[Mismatch], source: Path | str) -> str:
    """A short diff per block and the command that drafts the block from the plan for review."""
    parts = []
    by_block: dict[str, list[Mismatch]] = {}
    for m in mismatches:
        by_block.setdefault(m.block, []).append(m)
    for block, items in by_block.items():
        expected = {f"{m.path or block} [{m.fact or 'no fact'}]": m.expected for m in items}
        actual = {f"{m.path or block} [{m.fact or 'no fact'}]": m.actual for m in items}
        parts.append(f"{block}:\n{short_diff(expected, actual, context=0, limit=20)}")
    blocks = [b for b in by_block if b not in ("counts", "outputs")]
    flags = " ".join(
        f"--type {shlex.quote(b[len(TYPE_SELECTOR) :])}" if b.startswith(TYPE_SELECTOR) else f"--address {shlex.quote(b)}" for b in blocks
    )
    flags += " --counts" * ("counts" in by_block) + " --outputs" * ("outputs" in by_block)
    rel = Path(source).resolve().relative_to(REPO) if Path(source).resolve().is_relative_to(REPO) else source
    parts.append(f"draft the blocks from the plan for review: python -m journey_guard.terraform.inventory draft {rel} {flags.strip()}")
    return f"{len(mismatches)} planned values differ from {rel}:\n" + "\n".join(parts)


def draft(
    resources: Mapping[str, Mapping[str, Any]],
    outputs: Mapping[str, Any],
    known: Mapping[str, Any],
    *,
    addresses: list[str],
    types: list[str],
    with_counts: bool,
    with_outputs: bool,
) -> str:
    """Planned values as an inventory block, every leaf tagged for review, known names as templates."""
    # Not the partition: "aws" is also part of "amazonaws.com" and of log group names.
    swaps = sorted(((str(v), k) for k, v in known.items() if k in ("q", "account", "region") and v), key=lambda s: -len(s[0]))

    def template(value: Any) -> Any:
        if isinstance(value, str):
            for text, name in swaps:
                value = value.replace(text, "{" + name + "}")
            return value
        if isinstance(value, dict):
            # Known-after-apply values cannot be expected; tags_all repeats the provider's default tags.
            known_now = (str, int, float, bool, list, dict)
            return {k: template(v) for k, v in value.items() if k not in ("type", "tags_all") and isinstance(v, known_now)}
        if isinstance(value, list):
            return [template(v) for v in value]
        return _plain(value)

    def tagged(value: Any) -> Any:
        if isinstance(value, dict) and value:
            return {k: tagged(v) for k, v in value.items()}
        return Spec(DRAFT_FACT, value, "draft")

    block: dict[str, Any] = {"values": {}}
    for address in addresses:
        if address not in resources:
            raise InventoryError(f"{address}: not in the plan (have e.g. {sorted(resources)[:5]})")
        block["values"][address] = tagged(template(resources[address]))
    for rtype in types:
        block["values"][f"{TYPE_SELECTOR}{rtype}"] = tagged(template({}))
    if with_counts:
        counts: dict[str, int] = {}
        for values in resources.values():
            counts[values["type"]] = counts.get(values["type"], 0) + 1
        block["counts"] = tagged(dict(sorted(counts.items())))
    if with_outputs:
        block["outputs"] = tagged(template(dict(outputs)))
    return yaml.dump(block, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=200)


def render_plan(inventory: Mapping[str, Any]) -> Any:
    """The (cached, hermetic) plan an inventory's ``plan:`` block names: ``{env, tfvars}`` for an
    environment of this repository, ``{root, var_files}`` for any other Terraform root."""
    from journey_guard.terraform import plans  # needs tftest: imported only where a plan is rendered

    spec = inventory.get("plan")
    source = inventory.get("source", "inventory")
    if not isinstance(spec, dict) or not ({"env"} <= set(spec) or {"root"} <= set(spec)):
        raise InventoryError(f"{source}: field 'plan' must be {{env: <name>, tfvars: [...]}} or {{root: <dir>, var_files: [...]}}")
    variables = spec.get("variables") or {}
    if "env" in spec:
        return plans.render(spec["env"], tfvars=[REPO / p for p in spec.get("tfvars", [])], variables=variables)
    return plans.render_root(REPO / spec["root"], var_files=[REPO / p for p in spec.get("var_files", [])], variables=variables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m journey_guard.terraform.inventory", description="Draft inventory blocks from a plan for review."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("draft", help="print planned values as an inventory block tagged !spec:REVIEW")
    cmd.add_argument("inventory", type=Path, help="the inventory file whose `plan:` says what to render")
    cmd.add_argument("--address", action="append", default=[])
    cmd.add_argument("--type", action="append", default=[], help="every resource of a type (values left empty to fill)")
    cmd.add_argument("--counts", action="store_true")
    cmd.add_argument("--outputs", action="store_true")
    args = parser.parse_args(argv)
    try:
        inventory = load_file(args.inventory)
        plan = render_plan(inventory)
        print(
            draft(
                plan.resources,
                plan.outputs,
                names(plan.variables),
                addresses=args.address,
                types=args.type,
                with_counts=args.counts,
                with_outputs=args.outputs,
            ),
            end="",
        )
    except (InventoryError, RuntimeError) as exc:  # plans.PlanError and ToolchainError are RuntimeErrors
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
