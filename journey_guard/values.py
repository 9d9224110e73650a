"""Attribute values of Terraform resources as flat ``path -> leaf`` maps, JSON documents opened.

Shared by drift reports and the environment difference table: both name the attribute that differs
(``tags.Owner``, ``policy.Statement[1]``, ``memory_size``), not the whole resource. Policy
documents are JSON strings in the plan; they are decoded so a difference points inside them.
Standard library only (``deploy.sh drift`` runs it with the system's python3).
"""

from __future__ import annotations

import json
from typing import Any

EMPTY: tuple[Any, ...] = (None, "", [], {})


def open_json(value: Any) -> Any:
    """``value`` with every string that holds a JSON object or array decoded, recursively."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return open_json(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: open_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [open_json(v) for v in value]
    return value


def _join(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf paths of ``value``: nested dicts by key, lists by index; empty collections are leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= flatten(item, _join(prefix, key))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out |= flatten(item, _join(prefix, index))
        return out
    return {prefix: value}


def differences(before: Any, after: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """``(path, before, after)`` where two values differ, at the deepest path that still says why.

    Dicts recurse by key and equal-length lists by index; lists of different lengths (a statement
    added to a policy) are reported whole. ``None`` and empty collections count as equal: the
    provider reads back an absent block as either.
    """
    if before == after or (before in EMPTY and after in EMPTY):
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in sorted(set(before) | set(after), key=str):
            out += differences(before.get(key), after.get(key), _join(prefix, key))
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            out += differences(b, a, _join(prefix, index))
        return out
    return [(prefix, before, after)]


def mask(value: Any, sensitive: Any) -> Any:
    """``value`` with what Terraform marks sensitive (``*_sensitive`` in plan JSON) replaced."""
    if sensitive is True:
        return "(sensitive)"
    if isinstance(value, dict) and isinstance(sensitive, dict):
        return {k: mask(v, sensitive.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(sensitive, list):
        return [mask(v, sensitive[i] if i < len(sensitive) else None) for i, v in enumerate(value)]
    return value
