"""Run the Terraform CLI: ``init`` once per tree (under a shared lock), ``validate``.

Terraform's plugin cache is not safe for concurrent ``init``; every init in this project takes
one lock file in the user cache, so parallel sessions and xdist workers queue instead of racing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

from journey_guard.paths import cache_dir, file_lock
from journey_guard.terraform import toolchain

STAMP = ".terraform/journey-guard-init.sha256"


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries its stderr."""


def init_lock() -> AbstractContextManager[None]:
    return file_lock(cache_dir("terraform") / "init.lock")


def terraform_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(toolchain.ensure().env())
    return env


def run(tree: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [toolchain.ensure().terraform, f"-chdir={tree}", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env or terraform_env(), check=False)
    if check and proc.returncode != 0:
        raise TerraformError(f"terraform {' '.join(args)} in {tree} failed:\n{proc.stderr or proc.stdout}")
    return proc


def _init_inputs(tree: Path) -> str:
    # Module calls and the lock decide what init installs; hashing every .tf file is cheap and safe.
    h = hashlib.sha256()
    for path in sorted(tree.rglob("*.tf")) + sorted(tree.glob(".terraform.lock.hcl")):
        if ".terraform" not in path.parts:
            h.update(str(path.relative_to(tree)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def init(tree: Path, *extra: str) -> None:
    """``terraform init -backend=false`` unless the tree is already initialised for these inputs."""
    tree = Path(tree)
    stamp = tree / STAMP
    digest = _init_inputs(tree) + "|" + " ".join(extra)
    if stamp.exists() and stamp.read_text() == digest:
        return
    with init_lock():
        lockfile = ["-lockfile=readonly"] if (tree / ".terraform.lock.hcl").exists() else []
        run(tree, "init", "-backend=false", "-input=false", "-no-color", *lockfile, *extra)
    stamp.write_text(digest)


def validate(tree: Path) -> None:
    init(tree)
    run(tree, "validate", "-no-color")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.terraform.tf")
    parser.add_argument("command", choices=["init", "validate"])
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args(argv)
    try:
        for tree in args.trees:
            (init if args.command == "init" else validate)(tree)
            print(f"terraform {args.command}: {tree} ok")
    except (TerraformError, toolchain.ToolchainError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
