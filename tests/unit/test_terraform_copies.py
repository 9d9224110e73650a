"""Copies Terraform cannot share, kept identical (the way cloud-foundation-fabric checks its
duplicated files): the ``context`` variable every module declares (a type cannot be imported), and
the bootstrap's account inputs (region, partition, account id; it is a root of its own) against the
root's. Descriptions of the bootstrap's may differ, the contract may not."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from journey_guard.paths import TERRAFORM_DIR

ROOT = TERRAFORM_DIR / "variables.tf"
BOOTSTRAP = TERRAFORM_DIR / "bootstrap" / "variables.tf"
ACCOUNT_ID_PATTERN = re.compile(r'regex\("([^"]+)", var\.account_id\)')


def variables(path: Path) -> dict[str, dict[str, Any]]:
    with path.open() as handle:
        return {name.strip('"'): body for block in hcl2.load(handle).get("variable", []) for name, body in block.items()}


def contract(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body.get(key) for key in ("type", "default", "validation")}


MODULES = sorted(p.parent for p in (TERRAFORM_DIR / "modules").glob("*/variables.tf"))


def test_every_module_declares_the_same_context() -> None:
    declared = {module.name: variables(module / "variables.tf").get("context") for module in MODULES}
    users = {name: body for name, body in declared.items() if body is not None}
    assert len(users) >= 10, f"modules with a context variable: {sorted(users)}"
    first = next(iter(users.values()))
    assert {name for name, body in users.items() if body != first} == set(), "context declarations differ"


@pytest.mark.parametrize("name", ["aws_region", "aws_partition"])
def test_the_bootstraps_copy_is_the_roots(name: str) -> None:
    assert contract(variables(BOOTSTRAP)[name]) == contract(variables(ROOT)[name]), f"{BOOTSTRAP}: {name} drifted from {ROOT}"


def test_the_bootstrap_accepts_the_account_ids_the_root_accepts() -> None:
    # The root may leave account_id null (looked up); the bootstrap requires it: the same pattern both.
    patterns = {path: ACCOUNT_ID_PATTERN.findall(str(variables(path)["account_id"]["validation"])) for path in (ROOT, BOOTSTRAP)}
    assert patterns[ROOT] and patterns[ROOT] == patterns[BOOTSTRAP], patterns
