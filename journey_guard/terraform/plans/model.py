"""The plan model: a rendered plan's JSON (``terraform show -json``) read as resources, types, outputs
and the configuration's references, with the one walk of its module tree.

Standard library and PyYAML only: the integration emulator and the policy gate read plan and state
JSON through it without rendering anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml


class PlanError(RuntimeError):
    """A plan could not be rendered; the message carries Terraform's diagnostics."""


class _Unknown:
    """Marker for a value Terraform knows only after apply."""

    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN = _Unknown()


_INDEX = re.compile(r"\[[^\]]*\]")
_ITERATOR = re.compile(r"(^|\.)(each\.(key|value)|count\.index)$")
_VAR_REF = re.compile(r"^var\.(?P<name>[A-Za-z0-9_-]+)(?P<rest>.*)$")


def walk_resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every resource block of ``module`` and of its child modules, depth first: the one walk of the
    module tree of a plan's ``planned_values`` or a state's ``values`` (``root_module``)."""
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from walk_resources(child)


def config_module(configuration: Mapping[str, Any], module_path: Sequence[str]) -> Mapping[str, Any]:
    """The module at ``module_path`` (call names from the root) in a plan's ``configuration`` block."""
    module = configuration.get("root_module", {})
    for name in module_path:
        module = module.get("module_calls", {}).get(name, {}).get("module", {})
    return module


def config_resource(configuration: Mapping[str, Any], address: str) -> tuple[list[str], Mapping[str, Any] | None]:
    """The module path of ``address`` and its resource block in a plan's ``configuration`` (None if absent);
    instance keys are dropped, since the configuration holds one block for every instance."""
    plain = _INDEX.sub("", address).split(".")
    module_path = [plain[i + 1] for i in range(0, len(plain) - 2, 2) if plain[i] == "module"]
    resource = ".".join(plain[2 * len(module_path) :])
    block = next((r for r in config_module(configuration, module_path).get("resources", []) if r["address"] == resource), None)
    return module_path, block


def _merge_unknown(after: Any, unknown: Any) -> Any:
    if unknown is True:
        return UNKNOWN
    if isinstance(after, dict) and isinstance(unknown, dict):
        keys = set(after) | set(unknown)
        return {k: _merge_unknown(after.get(k), unknown.get(k)) for k in keys}
    if isinstance(after, list) and isinstance(unknown, list):
        return [_merge_unknown(a, unknown[i] if i < len(unknown) else None) for i, a in enumerate(after)]
    return after


def _dig(expr: Any, path: Sequence[str]) -> Iterator[Mapping[str, Any]]:
    """Expression objects at ``path`` (blocks are lists: every element is searched)."""
    if isinstance(expr, list):
        for item in expr:
            yield from _dig(item, path)
        return
    if not isinstance(expr, dict):
        return
    if not path:
        yield expr
        return
    yield from _dig(expr.get(path[0]), path[1:])


@dataclass(frozen=True)
class Plan:
    env: str
    key: str
    json: dict = field(repr=False)
    cached: bool = False

    @cached_property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Managed resources: address -> planned values (``UNKNOWN`` where known only after apply)."""
        changes = {c["address"]: c["change"] for c in self.json.get("resource_changes", [])}
        out: dict[str, dict[str, Any]] = {}
        for res in walk_resources(self.json.get("planned_values", {}).get("root_module", {})):
            if res.get("mode") != "managed":
                continue
            change = changes.get(res["address"], {})
            values = _merge_unknown(change.get("after", res.get("values", {})), change.get("after_unknown", {}))
            # The resource type wins over an attribute named `type` (aws_ce_cost_allocation_tag has one).
            out[res["address"]] = {**(values or {}), "type": res["type"]}
        return out

    def by_type(self) -> dict[str, list[str]]:
        """Resource type -> sorted addresses."""
        grouped: dict[str, list[str]] = {}
        for address, values in sorted(self.resources.items()):
            grouped.setdefault(values["type"], []).append(address)
        return grouped

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {a: v for a, v in self.resources.items() if v["type"] == rtype}

    def counts(self) -> dict[str, int]:
        return {t: len(a) for t, a in self.by_type().items()}

    @cached_property
    def outputs(self) -> dict[str, Any]:
        out = {}
        for name, change in self.json.get("output_changes", {}).items():
            out[name] = _merge_unknown(change.get("after"), change.get("after_unknown", False))
        return out

    @property
    def configuration(self) -> dict[str, Any]:
        return self.json.get("configuration", {})

    @property
    def variables(self) -> dict[str, Any]:
        return {k: v.get("value") for k, v in self.json.get("variables", {}).items()}

    def _config_resource(self, address: str) -> tuple[list[str], Mapping[str, Any]]:
        """The module path of ``address`` and its resource block in the plan's configuration."""
        module_path, config = config_resource(self.configuration, address)
        if config is None:
            resource = ".".join(_INDEX.sub("", address).split(".")[2 * len(module_path) :])
            raise KeyError(f"{address}: no resource {resource} in the plan's configuration")
        return module_path, config

    def references(self, address: str, attribute: str) -> set[str]:
        """What ``attribute`` (dotted, through nested blocks) of ``address`` refers to, traced through
        module input variables up to the module that defines the value, as root-relative references
        (``module.keys.key_arns["storage"]``). Locals are not in the plan's configuration; a reference
        to one stays ``module.<m>.local.<name>``."""
        module_path, config = self._config_resource(address)
        refs: set[str] = set()
        for expr in _dig(config.get("expressions", {}), attribute.split(".")):
            refs |= self._resolve(module_path, expr.get("references", []))
        return refs

    def existence_references(self, address: str) -> set[str]:
        """What decides whether ``address`` exists: the references of its ``count``/``for_each`` and of every
        module call around it, traced to the root like ``references`` (``var.flink_enabled``). A reference
        into a local (``module.monitoring.local.alarms``) stays as it is: the configuration has no locals."""
        module_path, config = self._config_resource(address)
        levels = [(module_path, config)] + [
            (
                module_path[:depth],
                config_module(self.configuration, module_path[:depth]).get("module_calls", {}).get(module_path[depth], {}),
            )
            for depth in range(len(module_path))
        ]
        refs: set[str] = set()
        for path, block in levels:
            for key in ("count_expression", "for_each_expression"):
                refs |= self._resolve(path, block.get(key, {}).get("references", []))
        # each.key / count.index say nothing about existence; the collections they iterate do.
        return {r for r in refs if not _ITERATOR.search(r)}

    def _resolve(self, module_path: Sequence[str], refs: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for ref in refs:
            var = _VAR_REF.match(ref)
            if var and module_path:
                call = config_module(self.configuration, module_path[:-1]).get("module_calls", {}).get(module_path[-1], {})
                parents = self._resolve(module_path[:-1], call.get("expressions", {}).get(var["name"], {}).get("references", []))
                # var.key_arns["ml"] given module.keys.key_arns: the index applies to what was passed.
                out |= parents | {parent + var["rest"] for parent in parents if var["rest"]}
            else:
                out.add(".".join(f"module.{m}" for m in module_path) + ("." if module_path else "") + ref)
        return out


def load_yaml(path: Path) -> Any:
    """A YAML file, or a clear error naming it."""
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"{path}: cannot read expectations: {exc}") from exc
