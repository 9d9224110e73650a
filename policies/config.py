"""``policies/config.yaml``: per-environment thresholds, wildcard-resource actions, built-in skips.

The environment a scan evaluates is process-wide state (``active_environment``): the gate runs each
environment in its own worker process, and checks read the thresholds of the active one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONFIG_PATH = Path(__file__).resolve().parent / "config.yaml"
ENVIRONMENT_KEYS = {
    "var_file": str,
    "dynamodb_pitr_required": bool,
    "dynamodb_deletion_protection_required": bool,
    "timestream_magnetic_retention_min_days": int,
    "sagemaker_notebook_allowed": bool,
    "kinesis_shards": dict,
}


class ConfigError(ValueError):
    """The policy config is malformed; the message names the file and field."""


@dataclass(frozen=True)
class EnvironmentRules:
    name: str
    var_file: str
    dynamodb_pitr_required: bool
    dynamodb_deletion_protection_required: bool
    timestream_magnetic_retention_min_days: int
    sagemaker_notebook_allowed: bool
    kinesis_shards_min: int
    kinesis_shards_max: int


@dataclass(frozen=True)
class PolicyConfig:
    environments: dict[str, EnvironmentRules]
    plan_tfvars: str
    wildcard_resource_actions: dict[str, str]
    builtin_skips: dict[str, str]


def _env_rules(name: str, raw: Any, path: Path) -> EnvironmentRules:
    where = f"{path}: environments.{name}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping")
    missing = sorted(set(ENVIRONMENT_KEYS) - raw.keys())
    unknown = sorted(raw.keys() - set(ENVIRONMENT_KEYS))
    if missing or unknown:
        raise ConfigError(f"{where}: missing {missing}, unknown {unknown}")
    for key, kind in ENVIRONMENT_KEYS.items():
        # bool is an int subclass: a number where a switch belongs (or the reverse) is a typo.
        if not isinstance(raw[key], kind) or (kind is int and isinstance(raw[key], bool)):
            raise ConfigError(f"{where}.{key} must be {kind.__name__}, got {raw[key]!r}")
    shards = raw["kinesis_shards"]
    if set(shards) != {"min", "max"} or not all(isinstance(v, int) for v in shards.values()) or shards["min"] > shards["max"]:
        raise ConfigError(f"{where}.kinesis_shards must be {{min: int, max: int}} with min <= max, got {shards!r}")
    return EnvironmentRules(
        name=name,
        var_file=raw["var_file"],
        dynamodb_pitr_required=raw["dynamodb_pitr_required"],
        dynamodb_deletion_protection_required=raw["dynamodb_deletion_protection_required"],
        timestream_magnetic_retention_min_days=raw["timestream_magnetic_retention_min_days"],
        sagemaker_notebook_allowed=raw["sagemaker_notebook_allowed"],
        kinesis_shards_min=shards["min"],
        kinesis_shards_max=shards["max"],
    )


def _reasoned(raw: Any, field: str, path: Path) -> dict[str, str]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {field} must be a mapping of id to reason")
    for key, reason in raw.items():
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{path}: {field}.{key} needs a reason")
    return {str(k): v for k, v in raw.items()}


def parse(raw: Any, path: Path) -> PolicyConfig:
    if not isinstance(raw, dict) or not isinstance(raw.get("environments"), dict):
        raise ConfigError(f"{path}: needs an 'environments' mapping")
    if not isinstance(raw.get("plan_tfvars"), str):
        raise ConfigError(f"{path}: plan_tfvars must name the hermetic tfvars file (repo-relative)")
    return PolicyConfig(
        environments={name: _env_rules(name, body, path) for name, body in raw["environments"].items()},
        plan_tfvars=raw["plan_tfvars"],
        wildcard_resource_actions={
            k.lower(): v for k, v in _reasoned(raw.get("wildcard_resource_actions"), "wildcard_resource_actions", path).items()
        },
        builtin_skips=_reasoned(raw.get("builtin_skips"), "builtin_skips", path),
    )


_selected: dict[str, Path] = {"path": CONFIG_PATH}


def use(path: Path) -> None:
    """Make ``path`` the config every later ``load()`` reads (``--config``; forked workers inherit it)."""
    _selected["path"] = path.resolve()


def load(path: Path | None = None) -> PolicyConfig:
    return _load(path or _selected["path"])


@cache
def _load(path: Path) -> PolicyConfig:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    return parse(raw, path)


_active: dict[str, EnvironmentRules | None] = {"env": None}


def set_active_environment(rules: EnvironmentRules | None) -> None:
    """Select the environment whose thresholds the per-environment checks apply (None: no environment)."""
    _active["env"] = rules


def active_environment() -> EnvironmentRules | None:
    return _active["env"]
