"""The plan cache: a key over everything Terraform reads for a render, and the JSON kept under it.

Keyed by the tree (an environment's other tfvars excepted), the var files, the artifacts Terraform
reads, the variables, the hermetic overrides, the CLI config, Terraform's version and the
environment variables that change a plan (``cache_key``). Entries live in the user cache (or
``UJA_PLAN_CACHE_DIR``), written atomically; the least recently used beyond ``CACHE_ENTRIES`` go.
A rejected variable value is as deterministic as a plan, so it is kept too (``CACHED_ERROR``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from journey_guard.paths import cache_dir
from journey_guard.terraform import hermetic, toolchain
from journey_guard.terraform.plans.model import Plan, PlanError

if TYPE_CHECKING:
    from journey_guard.terraform.plans.renderer import Inputs

# Bump when the cached JSON or the key's recipe changes, so old entries are never read.
CACHE_FORMAT = "4"
CACHE_ENTRIES = 200
# Environment variables that change what a plan says (besides the hermetic ones, which are fixed).
PLAN_ENV_PREFIXES = ("TF_VAR_", "TF_CLI_ARGS")
PLAN_ENV_NAMES = ("TF_WORKSPACE",)
# Files in the tree or the artifacts directory that Terraform never reads (or that the helper writes).
IGNORED_PARTS = {".terraform", ".tftest-cache", "terraform.tfstate.d", "__pycache__", *hermetic.GENERATED}
IGNORED_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan", ".lock.info", ".pyc")
# What Terraform reads under artifacts_dir (docs/interfaces.md, "Build artifacts"). build/ also
# holds other sessions' outputs (bench, policy, integration reports, ...) that change every run.
ARTIFACT_DIRS = ("lambda", "models", "flink", "pipeline")
# The tree's per-environment files: a plan reads only its own environment's tfvars from here.
TREE_PER_ENVIRONMENT = frozenset({"environments"})
CACHED_ERROR = "journey_guard_plan_error"


def ignored(rel: Path) -> bool:
    """Whether a file at ``rel`` (relative to the copied tree) is one Terraform never reads."""
    return bool(IGNORED_PARTS.intersection(rel.parts)) or rel.name.endswith(IGNORED_SUFFIXES)


@functools.lru_cache(maxsize=4096)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime too, so an edited file is read again within one process.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def digest_file(path: Path) -> str:
    st = path.stat()
    return _file_digest(str(path), st.st_size, st.st_mtime_ns)


def tree_digest(root: Path, skip_top: frozenset[str] | set[str] = frozenset()) -> str:
    """Hash of every file below ``root`` (relative path + content), symlinks followed."""
    h = hashlib.sha256()
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root)
            if rel.parts[0] in skip_top or ignored(rel):
                continue
            h.update(rel.as_posix().encode() + b"\0" + digest_file(path).encode() + b"\n")
    return h.hexdigest()


@functools.cache
def terraform_toolchain() -> toolchain.Toolchain:
    """The toolchain, found once per process (its CLI config and version are part of every key)."""
    return toolchain.ensure()


def _plan_affecting_env() -> dict[str, str]:
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith(PLAN_ENV_PREFIXES) or k in PLAN_ENV_NAMES}


def cache_key(inputs: Inputs) -> str:
    """sha256 over the tree, the var files, the artifacts, the variables, the overrides, the CLI config and versions."""
    chain = terraform_toolchain()
    own_files = [p for p in inputs.var_files if p.is_relative_to(inputs.base)]
    parts = {
        "format": CACHE_FORMAT,
        "root": inputs.tree.relative_to(inputs.base).as_posix(),
        # An environment reads only its own tfvars of environments/ (in var_files), not the others.
        "tree": tree_digest(inputs.base, TREE_PER_ENVIRONMENT if inputs.env else frozenset()),
        "var_files": [(p.relative_to(inputs.base).as_posix() if p in own_files else "", digest_file(p)) for p in inputs.var_files],
        "artifacts": {name: tree_digest(inputs.artifacts / name) for name in ARTIFACT_DIRS} if inputs.artifacts else None,
        "variables": dict(inputs.variables),
        "hermetic": digest_file(Path(hermetic.__file__)),
        "cli_config": Path(chain.cli_config).read_text(),
        "terraform": chain.terraform_version,
        "env_vars": _plan_affecting_env(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def plan_cache_dir() -> Path:
    """Where plan JSON is kept: ``UJA_PLAN_CACHE_DIR`` (the benchmark's cold runs), else the user cache."""
    explicit = os.environ.get("UJA_PLAN_CACHE_DIR")
    if explicit:
        Path(explicit).mkdir(parents=True, exist_ok=True)
        return Path(explicit)
    return cache_dir("plans", "json")


def read(label: str, key: str, path: Path) -> Plan | None:
    """The plan cached at ``path`` (None when absent); a cached rejection is raised again as ``PlanError``."""
    try:
        raw = json.loads(path.read_text())
        os.utime(path)  # least recently used goes first when the cache is pruned
    except FileNotFoundError:  # not rendered yet, or just pruned by another process
        return None
    if CACHED_ERROR in raw:
        raise PlanError(raw[CACHED_ERROR])
    return Plan(label, key, raw, cached=True)


def write_atomic(path: Path, data: dict) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)
    _prune(path.parent)


def _prune(directory: Path, keep: int = CACHE_ENTRIES) -> None:
    """Drop the least recently used plans beyond ``keep`` (each is ~1 MB; every edit adds some)."""
    entries = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
        old.with_suffix(".lock").unlink(missing_ok=True)
