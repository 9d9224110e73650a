"""Where attribute values of Terraform resources differ, path by path, JSON documents opened.

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


def _same(values: tuple[Any, ...]) -> bool:
    return all(v == values[0] for v in values) or all(v in EMPTY for v in values)


def differences(*values: Any, prefix: str = "") -> list[tuple[str, tuple[Any, ...]]]:
    """``(path, values)`` wherever the values differ, at the deepest path that still says why.

    Dicts recurse by key and equal-length lists by index; lists of different lengths (a statement
    added to a policy, a log group more in a list) are reported whole. ``None`` and empty
    collections count as equal: the provider reads back an absent block as either.
    """
    if _same(values):
        return []
    if all(isinstance(v, dict) for v in values):
        out: list[tuple[str, tuple[Any, ...]]] = []
        for key in sorted(set().union(*values), key=str):
            out += differences(*(v.get(key) for v in values), prefix=_join(prefix, key))
        return out
    if all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1:
        out = []
        for index, items in enumerate(zip(*values, strict=True)):
            out += differences(*items, prefix=_join(prefix, index))
        return out
    return [(prefix, values)]


def mask(value: Any, sensitive: Any) -> Any:
    """``value`` with what Terraform marks sensitive (``*_sensitive`` in plan JSON) replaced."""
    if sensitive is True:
        return "(sensitive)"
    if isinstance(value, dict) and isinstance(sensitive, dict):
        return {k: mask(v, sensitive.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(sensitive, list):
        return [mask(v, sensitive[i] if i < len(sensitive) else None) for i, v in enumerate(value)]
    return value
