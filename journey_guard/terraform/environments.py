"""The environments of a Terraform tree, read from its ``environments/`` folder: the one list.

An environment is a name with both ``environments/<env>.tfvars`` and ``environments/<env>-backend.hcl``
(its values and its state). ``integration.tfvars`` has no backend file: it is an overlay applied on
top of an environment, never one itself. The root's ``environment`` validation reads the same two
files (``terraform/variables.tf``); docs/adding-an-environment.md says what else a new one needs.
"""

from __future__ import annotations

import re
from pathlib import Path

from journey_guard.paths import TERRAFORM_DIR

BACKEND_SUFFIX = "-backend.hcl"
# terraform/variables.tf's shape: at most as long as "staging", whose names the plan tests check
# against every service's length limit with the longest suffix.
NAME = re.compile(r"^[a-z][a-z0-9]{1,6}$")


class UnknownEnvironment(ValueError):
    """A name that is not an environment of the tree; the message lists the ones it has."""


def names(tree: str | Path = TERRAFORM_DIR) -> tuple[str, ...]:
    """The environments of ``tree`` (a root holding ``environments/``), sorted by name."""
    folder = Path(tree) / "environments"
    found = sorted(
        p.name.removesuffix(BACKEND_SUFFIX)
        for p in folder.glob(f"*{BACKEND_SUFFIX}")
        if p.with_name(p.name.removesuffix(BACKEND_SUFFIX) + ".tfvars").is_file()
    )
    for name in found:
        if not NAME.match(name):
            raise UnknownEnvironment(f"{folder / (name + '.tfvars')}: environment name {name!r} must match {NAME.pattern}")
    return tuple(found)


def require(name: str, tree: str | Path = TERRAFORM_DIR) -> str:
    """``name`` when it is an environment of ``tree``; else ``UnknownEnvironment`` saying what is missing."""
    known = names(tree)
    if name not in known:
        folder = Path(tree) / "environments"
        missing = [p.name for p in (folder / f"{name}.tfvars", folder / f"{name}{BACKEND_SUFFIX}") if not p.is_file()]
        raise UnknownEnvironment(
            f"unknown environment {name!r}: no {' and no '.join(missing) or 'valid name'} in {folder} (have {', '.join(known)})"
        )
    return name
