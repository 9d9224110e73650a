"""DynamoDB attribute values for the low-level client, and the stable shard suffix of GSI keys.

The low-level client is used (not the resource layer) because its typed values are cheap to build
and need no Decimal conversion; these helpers cover the JSON-like values the functions store.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from typing import Any

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

# DynamoDB numbers: at most 38 significant digits, magnitude in [1e-130, 1e126).
_MAX_INT = 10**38
_MAX_FLOAT = 1e125
_MIN_FLOAT = 1e-100  # smaller magnitudes are stored as 0 rather than rejected by the service


def shard_suffix(value: str, shards: int = 10) -> int:
    """Stable 0..shards-1 suffix for write-sharded GSI keys (crc32, the same in every process)."""
    return zlib.crc32(value.encode()) % shards


def number(value: int | float) -> str:
    """The N string of a number DynamoDB accepts; ValueError for one it would reject."""
    if type(value) is int:
        if -_MAX_INT < value < _MAX_INT:
            return str(value)
        raise ValueError(f"integer {value} has more than 38 digits")
    if type(value) is not float:
        raise ValueError(f"{value!r} is not a number")
    if not math.isfinite(value) or abs(value) >= _MAX_FLOAT:
        raise ValueError(f"number {value!r} is outside DynamoDB's range")
    return "0" if abs(value) < _MIN_FLOAT else repr(value)


def to_attr(value: Any) -> AttributeValue:
    """Typed attribute value of a JSON-like Python value."""
    kind = type(value)
    if kind is str:  # the common cases first, by exact type (this runs for every stored field)
        return {"S": value}
    if kind is int or kind is float:
        return {"N": number(value)}
    if kind is bool:
        return {"BOOL": value}
    if kind is dict:
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if kind is list or kind is tuple:
        return {"L": [to_attr(v) for v in value]}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": str(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    raise ValueError(f"cannot store a {type(value).__name__} in DynamoDB")


def to_item(values: Mapping[str, Any]) -> Item:
    """A DynamoDB item of a mapping, leaving out None values (absent beats NULL for optional fields)."""
    return {k: to_attr(v) for k, v in values.items() if v is not None}


def _from_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def from_attr(attr: AttributeValue) -> Any:
    """Plain Python value of a typed attribute value (numbers as int when integral text, else float)."""
    (kind, value), *_ = attr.items()
    if kind == "S":
        return value
    if kind == "N":
        return _from_number(value)
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    if kind == "L":
        return [from_attr(v) for v in value]
    if kind in ("SS", "BS"):
        return set(value)
    if kind == "NS":
        return {_from_number(v) for v in value}
    if kind == "B":
        return value
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def from_item(item: Item) -> dict[str, Any]:
    return {k: from_attr(v) for k, v in item.items()}
