"""``policies/config.yaml``: per-environment thresholds, the wildcard allow-list, built-in skips.

The environment a scan evaluates is process-wide state (``active_environment``): the gate runs each
environment in its own worker process, and checks read the thresholds of the active one.
"""

from __future__ import annotations

import re
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


# What a placeholder in an allow-list ARN may stand for: one concrete value, never a wildcard.
PLACEHOLDERS = {"${partition}": r"aws(?:-[a-z]+)*", "${region}": r"[a-z]{2}(?:-[a-z]+)+-\d", "${account}": r"\d{12}"}
ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")
ARN_SEGMENTS = ("partition", "service", "region", "account")


@dataclass(frozen=True)
class WildcardPair:
    """One (action, resource) an identity policy may grant although it holds a wildcard AWS forces."""

    action: str  # lower-cased, exact
    resource: str  # "*" or an ARN; ${partition}/${region}/${account} match one concrete value each
    reason: str

    @property
    def pattern(self) -> re.Pattern[str]:
        text = re.escape(self.resource)
        for name, value in PLACEHOLDERS.items():
            text = text.replace(re.escape(name), value)
        return re.compile(f"^{text}$")

    def allows(self, action: str, resource: str) -> bool:
        return action.lower() == self.action and self.pattern.match(resource) is not None


@dataclass(frozen=True)
class PolicyConfig:
    environments: dict[str, EnvironmentRules]
    plan_tfvars: str
    wildcard_allow: tuple[WildcardPair, ...]
    builtin_skips: dict[str, str]
    builtin_plan_exceptions: dict[str, str]

    def allowed_wildcard(self, action: str, resource: str) -> WildcardPair | None:
        """The allow-list pair that grants ``action`` on ``resource``, if any."""
        return next((p for p in self.wildcard_allow if p.allows(action, resource)), None)


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


def _wildcard_allow(raw: Any, path: Path) -> tuple[WildcardPair, ...]:
    """``wildcard_allow``: entries of ``actions`` (exact), one ``resource`` and a ``reason``; none may
    widen the service (the ARN's service is every action's), the region or the account."""
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: wildcard_allow must be a list of {{actions, resource, reason}}")
    pairs: list[WildcardPair] = []
    for i, entry in enumerate(raw):
        where = f"{path}: wildcard_allow[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"actions", "resource", "reason"}:
            raise ConfigError(f"{where} must have exactly actions, resource and reason")
        actions, resource, reason = entry["actions"], entry["resource"], entry["reason"]
        if not isinstance(reason, str) or len(reason.split()) < 3:
            raise ConfigError(f"{where}.reason must say why AWS forces the wildcard")
        if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and ACTION.match(a) for a in actions):
            raise ConfigError(f"{where}.actions must be exact service:Action names (no wildcard), got {actions!r}")
        if not isinstance(resource, str) or (resource != "*" and not _narrow_arn(resource, actions)):
            raise ConfigError(
                f'{where}.resource must be "*" or an ARN of the actions\' service with ${{partition}}/${{region}}/${{account}}'
                f" or concrete values (no wildcard there), got {resource!r}"
            )
        pairs += [WildcardPair(a.lower(), resource, reason) for a in actions]
    return tuple(pairs)


def _narrow_arn(resource: str, actions: list[str]) -> bool:
    parts = resource.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return False
    segments = dict(zip(ARN_SEGMENTS, parts[1:5], strict=True))
    if any(a.split(":", 1)[0].lower() != segments["service"] for a in actions):
        return False
    return not any("*" in v or "?" in v or ("$" in v and v not in PLACEHOLDERS) for v in segments.values())


def parse(raw: Any, path: Path) -> PolicyConfig:
    if not isinstance(raw, dict) or not isinstance(raw.get("environments"), dict):
        raise ConfigError(f"{path}: needs an 'environments' mapping")
    if not isinstance(raw.get("plan_tfvars"), str):
        raise ConfigError(f"{path}: plan_tfvars must name the hermetic tfvars file (repo-relative)")
    return PolicyConfig(
        environments={name: _env_rules(name, body, path) for name, body in raw["environments"].items()},
        plan_tfvars=raw["plan_tfvars"],
        wildcard_allow=_wildcard_allow(raw.get("wildcard_allow"), path),
        builtin_skips=_reasoned(raw.get("builtin_skips"), "builtin_skips", path),
        builtin_plan_exceptions=_reasoned(raw.get("builtin_plan_exceptions"), "builtin_plan_exceptions", path),
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
