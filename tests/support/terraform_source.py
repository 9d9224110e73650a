"""Terraform modules read statically (python-hcl2), for the unit tests that compare a module's
values with the code's constants. No plan: these checks cost milliseconds.

python-hcl2 keeps Terraform's quotes on strings and block labels (``'"flink"'``) and interpolation
as ``${...}``; ``unquote`` removes the outer quotes.
"""

from __future__ import annotations

from typing import Any

import hcl2

from journey_guard.paths import TERRAFORM_DIR


def unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def module(name: str, file: str = "main.tf") -> dict[str, Any]:
    with (TERRAFORM_DIR / "modules" / name / file).open() as handle:
        return hcl2.load(handle)


def locals_of(name: str) -> dict[str, Any]:
    return {key: value for block in module(name).get("locals", []) for key, value in block.items()}


def block(name: str, kind: str, type_: str, label: str) -> dict[str, Any]:
    """One ``resource``/``data`` block of a module by type and label."""
    for entry in module(name).get(kind, []):
        body = entry.get(f'"{type_}"', {}).get(f'"{label}"')
        if body is not None:
            return body
    raise KeyError(f"terraform/modules/{name}: no {kind} {type_}.{label}")
