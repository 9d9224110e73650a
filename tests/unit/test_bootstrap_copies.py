"""terraform/bootstrap is a root of its own, so it keeps its own copies of the root's account inputs
(region, partition, account id); a copy must not drift from the root's (the way
cloud-foundation-fabric checks its duplicated files). Descriptions may differ, the contract may not."""

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


@pytest.mark.parametrize("name", ["aws_region", "aws_partition"])
def test_the_bootstraps_copy_is_the_roots(name: str) -> None:
    assert contract(variables(BOOTSTRAP)[name]) == contract(variables(ROOT)[name]), f"{BOOTSTRAP}: {name} drifted from {ROOT}"


def test_the_bootstrap_accepts_the_account_ids_the_root_accepts() -> None:
    # The root may leave account_id null (looked up); the bootstrap requires it: the same pattern both.
    patterns = {path: ACCOUNT_ID_PATTERN.findall(str(variables(path)["account_id"]["validation"])) for path in (ROOT, BOOTSTRAP)}
    assert patterns[ROOT] and patterns[ROOT] == patterns[BOOTSTRAP], patterns
