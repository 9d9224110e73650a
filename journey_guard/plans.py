"""Render ``terraform plan`` of the root module for one environment, summarise it, cache it on disk.

The one helper the plan tests, the policy gate and the integration tests share::

    from journey_guard import plans
    plan = plans.render("dev", tfvars=[TEST_TFVARS])
    plan.json                      # ``terraform show -json`` of the saved plan
    plan.resources                 # address -> planned values (every module, every instance)
    plan.by_type()                 # resource type -> sorted addresses
    plan.outputs                   # output name -> value (plans.UNKNOWN when known only after apply)
    plan.configuration             # the plan's ``configuration`` block (expressions and references)
    plan.references(address, "server_side_encryption.kms_key_arn")   # traced through module inputs
    plan.key, plan.cached          # cache key; whether this call was served from the cache

Hermetic: a temp copy of the tree (never the working tree: tftest and init write into the directory
they run in) with ``backend_override.tf`` = local backend, fake static credentials, the provider
pointed at an unreachable loopback endpoint (which also switches its validation calls off, see
``providers.tf``) and ``-refresh=false``. ``account_id`` and ``availability_zones`` must be given
(tfvars or ``variables``), so no data source calls AWS; ``render`` refuses otherwise.

Fast: ``terraform init`` runs once per set of init inputs into a template under the user cache
(under ``journey_guard.tf.init_lock``) and every render copies its small ``.terraform`` (providers
are symlinks into the plugin cache). The plan JSON is cached under the user cache, keyed by
everything Terraform reads (see ``cache_key``); a per-key file lock lets parallel workers that want
the same plan wait for one render instead of repeating it.

Imports only the standard library, PyYAML and tftest (the policy gate runs it in checkov's venv).
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import tftest
import yaml

from journey_guard import tf, toolchain
from journey_guard.inventory import short_diff  # noqa: F401  (part of this module's API)
from journey_guard.paths import BUILD_DIR, TERRAFORM_DIR, cache_dir

ENVIRONMENTS = ("dev", "staging", "prod")
# Bump when the cached JSON or the key's recipe changes, so old entries are never read.
CACHE_FORMAT = "3"
CACHE_ENTRIES = 200
BACKEND_OVERRIDE = 'terraform {\n  backend "local" {}\n}\n'
# Port 9 (discard) on loopback: nothing listens, so any AWS call fails at once instead of leaving.
HERMETIC_VARIABLES: dict[str, Any] = {
    "aws_endpoint_url": "http://127.0.0.1:9",
    "aws_access_key": "testing",
    "aws_secret_key": "testing",
}
HERMETIC_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Environment variables that change what a plan says (besides the hermetic ones, which are fixed).
PLAN_ENV_PREFIXES = ("TF_VAR_", "TF_CLI_ARGS")
PLAN_ENV_NAMES = ("TF_WORKSPACE",)
# Files in the tree or the artifacts directory that Terraform never reads.
IGNORED_PARTS = {".terraform", ".tftest-cache", "terraform.tfstate.d", "__pycache__", "backend_override.tf"}
IGNORED_SUFFIXES = (".tfstate", ".tfstate.backup", ".tfplan", ".lock.info", ".pyc")
# What Terraform reads under artifacts_dir (docs/interfaces.md, "Build artifacts"). build/ also
# holds other sessions' outputs (bench, policy, integration reports, ...) that change every run.
ARTIFACT_DIRS = ("lambda", "models", "flink", "pipeline")
# The tree's per-environment files: a plan reads only its own environment's tfvars from here.
TREE_PER_ENVIRONMENT = frozenset({"environments"})
REQUIRED_VARIABLES = ("account_id", "availability_zones")
VALIDATION_FAILURE = "Invalid value for variable"
CACHED_ERROR = "journey_guard_plan_error"


# tftest logs a failed command at CRITICAL; without this Python's last-resort handler prints it again.
logging.getLogger("tftest").addHandler(logging.NullHandler())


class PlanError(RuntimeError):
    """A plan could not be rendered; the message carries Terraform's diagnostics."""


class _Unknown:
    """Marker for a value Terraform knows only after apply."""

    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN = _Unknown()


# ---------------------------------------------------------------------------
# Inputs and the cache key
# ---------------------------------------------------------------------------
def _ignored(rel: Path) -> bool:
    return bool(IGNORED_PARTS.intersection(rel.parts)) or rel.name.endswith(IGNORED_SUFFIXES)


@functools.lru_cache(maxsize=4096)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    # Keyed on size and mtime too, so an edited file is read again within one process.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _digest_file(path: Path) -> str:
    st = path.stat()
    return _file_digest(str(path), st.st_size, st.st_mtime_ns)


def tree_digest(root: Path, skip_top: frozenset[str] | set[str] = frozenset()) -> str:
    """Hash of every file below ``root`` (relative path + content), symlinks followed."""
    h = hashlib.sha256()
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root)
            if rel.parts[0] in skip_top or _ignored(rel):
                continue
            h.update(rel.as_posix().encode() + b"\0" + _digest_file(path).encode() + b"\n")
    return h.hexdigest()


@functools.cache
def _toolchain() -> toolchain.Toolchain:
    return toolchain.ensure()


def _plan_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_PROFILE", "TF_LOG")}
    env.update(_toolchain().env())
    env.update(HERMETIC_ENV)
    return env


def _plan_affecting_env() -> dict[str, str]:
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith(PLAN_ENV_PREFIXES) or k in PLAN_ENV_NAMES}


@dataclass(frozen=True)
class Inputs:
    """Everything one render reads, resolved to absolute paths."""

    env: str
    tree: Path
    artifacts: Path
    tfvars: tuple[Path, ...]
    variables: Mapping[str, Any] = field(default_factory=dict)

    @property
    def env_tfvars(self) -> Path:
        return self.tree / "environments" / f"{self.env}.tfvars"

    @property
    def all_variables(self) -> dict[str, Any]:
        return {**HERMETIC_VARIABLES, **self.variables}

    def check(self) -> None:
        if not (self.tree / "versions.tf").is_file():
            raise PlanError(f"{self.tree} is not a Terraform root (no versions.tf)")
        if not self.env_tfvars.is_file():
            # Overlays such as integration.tfvars set no environment: they are not environments.
            known = sorted(
                p.stem for p in (self.tree / "environments").glob("*.tfvars") if re.search(r"(?m)^environment\s*=", p.read_text())
            )
            raise PlanError(f"unknown environment {self.env!r}: no {self.env_tfvars} (have {', '.join(known)})")
        for path in self.tfvars:
            if not path.is_file():
                raise PlanError(f"tfvars file {path} does not exist")
        # A null account_id or zone list makes data sources call AWS (and hang on retries here).
        text = "\n".join(p.read_text() for p in (self.env_tfvars, *self.tfvars))
        for name in REQUIRED_VARIABLES:
            given = self.variables.get(name) is not None or re.search(rf"(?m)^\s*{name}\s*=\s*(?!null\b)\S", text)
            if not given:
                raise PlanError(f"{name} is not set in {[str(p) for p in self.tfvars]} or variables: a hermetic plan needs it")


def make_inputs(
    env: str,
    *,
    tfvars: Sequence[str | Path] = (),
    variables: Mapping[str, Any] | None = None,
    tree: str | Path = TERRAFORM_DIR,
    artifacts: str | Path = BUILD_DIR,
) -> Inputs:
    return Inputs(
        env=env,
        tree=Path(tree).resolve(),
        artifacts=Path(artifacts).resolve(),
        tfvars=tuple(Path(p).resolve() for p in tfvars),
        variables=dict(variables or {}),
    )


def cache_key(inputs: Inputs) -> str:
    """sha256 over the tree, the artifacts, the tfvars, the variables, the CLI config and versions."""
    chain = _toolchain()
    parts = {
        "format": CACHE_FORMAT,
        "env": inputs.env,
        # Other environments' tfvars (and backend files) are not read: only this one's counts.
        "tree": tree_digest(inputs.tree, TREE_PER_ENVIRONMENT),
        "env_tfvars": _digest_file(inputs.env_tfvars),
        "artifacts": {name: tree_digest(inputs.artifacts / name) for name in ARTIFACT_DIRS},
        "tfvars": [_digest_file(p) for p in inputs.tfvars],
        "variables": inputs.all_variables,
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


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------
def _copy_tree(tree: Path, dst: Path) -> None:
    """Copy what ``tree_digest`` hashes, nothing else."""
    shutil.copytree(tree, dst, ignore=lambda d, names: {n for n in names if _ignored(Path(d, n).relative_to(tree))})


def _init_digest(tree: Path) -> str:
    # What init installs depends on the module calls and provider requirements (.tf) and the lock.
    h = hashlib.sha256(Path(_toolchain().cli_config).read_bytes() + _toolchain().terraform_version.encode())
    for path in sorted([*tree.rglob("*.tf"), tree / ".terraform.lock.hcl"]):
        rel = path.relative_to(tree)
        if path.is_file() and not _ignored(rel):
            h.update(rel.as_posix().encode() + b"\0" + _digest_file(path).encode())
    return h.hexdigest()[:20]


def initialised_template(tree: Path = TERRAFORM_DIR) -> Path:
    """The ``.terraform`` of a copy of ``tree`` initialised with the local backend; done once per inputs."""
    root = cache_dir("plans", "init", _init_digest(tree))
    dot = root / "terraform" / ".terraform"
    stamp = root / ".complete"
    if stamp.exists():
        return dot
    with tf.init_lock():
        if stamp.exists():
            return dot
        shutil.rmtree(root / "terraform", ignore_errors=True)
        _copy_tree(tree, root / "terraform")
        (root / "terraform" / "backend_override.tf").write_text(BACKEND_OVERRIDE)
        lockfile = ["-lockfile=readonly"] if (tree / ".terraform.lock.hcl").is_file() else []
        try:
            tf.run(root / "terraform", "init", "-input=false", "-no-color", *lockfile, env=_plan_env())
        except tf.TerraformError as exc:
            raise PlanError(str(exc)) from exc
        stamp.write_text("ok\n")
    return dot


def _terraform_plan(inputs: Inputs) -> dict:
    """Plan in ``inputs.tree``, a private snapshot (it gets the override, ``.terraform`` and ``../build``)."""
    work = inputs.tree
    dot = initialised_template(work)
    (work / "backend_override.tf").write_text(BACKEND_OVERRIDE)
    shutil.copytree(dot, work / ".terraform", symlinks=True)
    # artifacts_dir defaults to ../build: the snapshot sees the artifacts where the tree would.
    os.symlink(inputs.artifacts, work.parent / "build", target_is_directory=True)
    variables = work.parent / "variables.tfvars.json"
    variables.write_text(json.dumps(inputs.all_variables))
    var_files = [str(inputs.env_tfvars.relative_to(work)), *map(str, inputs.tfvars), str(variables)]
    runner = tftest.TerraformTest(str(work), binary=_toolchain().terraform, env=_plan_env())
    try:
        out = runner.plan(output=True, refresh=False, lock=False, tf_var_file=var_files)
    except tftest.TerraformTestError as exc:
        detail = exc.cmd_error or str(exc)
        raise PlanError(f"terraform plan of {inputs.env} ({', '.join(var_files[:-1])}) failed:\n{detail.strip()}") from exc
    return dict(out)


def render(
    env: str,
    *,
    tfvars: Sequence[str | Path] = (),
    variables: Mapping[str, Any] | None = None,
    tree: str | Path = TERRAFORM_DIR,
    artifacts: str | Path = BUILD_DIR,
    use_cache: bool = True,
) -> Plan:
    """Plan ``tree`` with ``environments/<env>.tfvars``, then ``tfvars`` in order, then ``variables``.

    Raises ``PlanError`` with Terraform's diagnostics (validation messages included) on failure.
    """
    inputs = make_inputs(env, tfvars=tfvars, variables=variables, tree=tree, artifacts=artifacts)
    inputs.check()
    # Snapshot first: the key then describes exactly the files planned, even while someone edits.
    with tempfile.TemporaryDirectory(prefix="uja-plan-") as tmp:
        snapshot = dataclasses.replace(inputs, tree=Path(tmp) / "terraform")
        _copy_tree(inputs.tree, snapshot.tree)
        key = cache_key(snapshot)
        path = plan_cache_dir() / f"{key}.json"
        hit = _cached(env, key, path) if use_cache else None
        if hit is not None:
            return hit
        with _file_lock(plan_cache_dir() / f"{key}.lock"):
            hit = _cached(env, key, path) if use_cache else None
            if hit is not None:
                return hit
            try:
                raw = _terraform_plan(snapshot)
            except PlanError as exc:
                # A rejected variable value is as deterministic as a plan: remember it too.
                if VALIDATION_FAILURE in str(exc):
                    _write_atomic(path, {CACHED_ERROR: str(exc)})
                raise
            _write_atomic(path, raw)
    return Plan(env, key, raw, cached=False)


def _cached(env: str, key: str, path: Path) -> Plan | None:
    try:
        raw = json.loads(path.read_text())
        os.utime(path)  # least recently used goes first when the cache is pruned
    except FileNotFoundError:  # not rendered yet, or just pruned by another process
        return None
    if CACHED_ERROR in raw:
        raise PlanError(raw[CACHED_ERROR])
    return Plan(env, key, raw, cached=True)


def _write_atomic(path: Path, data: dict) -> None:
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


# ---------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------
_INDEX = re.compile(r"\[[^\]]*\]")
_VAR_REF = re.compile(r"^var\.(?P<name>[A-Za-z0-9_-]+)(?P<rest>.*)$")


def _walk_modules(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _walk_modules(child)


def _merge_unknown(after: Any, unknown: Any) -> Any:
    if unknown is True:
        return UNKNOWN
    if isinstance(after, dict) and isinstance(unknown, dict):
        keys = set(after) | set(unknown)
        return {k: _merge_unknown(after.get(k), unknown.get(k)) for k in keys}
    if isinstance(after, list) and isinstance(unknown, list):
        return [_merge_unknown(a, unknown[i] if i < len(unknown) else None) for i, a in enumerate(after)]
    return after


def _dig(expr: Any, path: Sequence[str]) -> Iterator[Mapping[str, Any]]:
    """Expression objects at ``path`` (blocks are lists: every element is searched)."""
    if isinstance(expr, list):
        for item in expr:
            yield from _dig(item, path)
        return
    if not isinstance(expr, dict):
        return
    if not path:
        yield expr
        return
    yield from _dig(expr.get(path[0]), path[1:])


@dataclass(frozen=True)
class Plan:
    env: str
    key: str
    json: dict = field(repr=False)
    cached: bool = False

    @cached_property
    def resources(self) -> dict[str, dict[str, Any]]:
        """Managed resources: address -> planned values (``UNKNOWN`` where known only after apply)."""
        changes = {c["address"]: c["change"] for c in self.json.get("resource_changes", [])}
        out: dict[str, dict[str, Any]] = {}
        for module in _walk_modules(self.json.get("planned_values", {}).get("root_module", {})):
            for res in module.get("resources", []):
                if res.get("mode") != "managed":
                    continue
                change = changes.get(res["address"], {})
                values = _merge_unknown(change.get("after", res.get("values", {})), change.get("after_unknown", {}))
                out[res["address"]] = {"type": res["type"], **(values or {})}
        return out

    def by_type(self) -> dict[str, list[str]]:
        """Resource type -> sorted addresses."""
        grouped: dict[str, list[str]] = {}
        for address, values in sorted(self.resources.items()):
            grouped.setdefault(values["type"], []).append(address)
        return grouped

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {a: v for a, v in self.resources.items() if v["type"] == rtype}

    def counts(self) -> dict[str, int]:
        return {t: len(a) for t, a in self.by_type().items()}

    @cached_property
    def outputs(self) -> dict[str, Any]:
        out = {}
        for name, change in self.json.get("output_changes", {}).items():
            out[name] = _merge_unknown(change.get("after"), change.get("after_unknown", False))
        return out

    @property
    def configuration(self) -> dict[str, Any]:
        return self.json.get("configuration", {})

    @property
    def variables(self) -> dict[str, Any]:
        return {k: v.get("value") for k, v in self.json.get("variables", {}).items()}

    def _config_module(self, module_path: Sequence[str]) -> Mapping[str, Any]:
        module = self.configuration.get("root_module", {})
        for name in module_path:
            module = module.get("module_calls", {}).get(name, {}).get("module", {})
        return module

    def references(self, address: str, attribute: str) -> set[str]:
        """What ``attribute`` (dotted, through nested blocks) of ``address`` refers to, traced through
        module input variables up to the module that defines the value, as root-relative references
        (``module.keys.key_arns["storage"]``). Locals are not in the plan's configuration; a reference
        to one stays ``module.<m>.local.<name>``."""
        plain = _INDEX.sub("", address).split(".")
        module_path = [plain[i + 1] for i in range(0, len(plain) - 2, 2) if plain[i] == "module"]
        resource = ".".join(plain[2 * len(module_path) :])
        config = next((r for r in self._config_module(module_path).get("resources", []) if r["address"] == resource), None)
        if config is None:
            raise KeyError(f"{address}: no resource {resource} in the plan's configuration")
        refs: set[str] = set()
        for expr in _dig(config.get("expressions", {}), attribute.split(".")):
            refs |= self._resolve(module_path, expr.get("references", []))
        return refs

    def _resolve(self, module_path: Sequence[str], refs: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for ref in refs:
            var = _VAR_REF.match(ref)
            if var and module_path:
                call = self._config_module(module_path[:-1]).get("module_calls", {}).get(module_path[-1], {})
                parents = self._resolve(module_path[:-1], call.get("expressions", {}).get(var["name"], {}).get("references", []))
                # var.key_arns["ml"] given module.keys.key_arns: the index applies to what was passed.
                out |= parents | {parent + var["rest"] for parent in parents if var["rest"]}
            else:
                out.add(".".join(f"module.{m}" for m in module_path) + ("." if module_path else "") + ref)
        return out


# ---------------------------------------------------------------------------
# Diffs and expectations
# ---------------------------------------------------------------------------
def load_yaml(path: Path) -> Any:
    """A YAML file, or a clear error naming it."""
    try:
        return yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"{path}: cannot read expectations: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.plans", description="Render (cached) and summarise a plan.")
    parser.add_argument("env")
    parser.add_argument("--tfvars", action="append", default=[], help="extra tfvars file, applied after the environment's")
    parser.add_argument("--var", action="append", default=[], help="name=JSON value (e.g. flink_enabled=false)")
    parser.add_argument("--addresses", action="store_true", help="print every address instead of counts per type")
    args = parser.parse_args(argv)
    try:
        variables = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.var)}
    except ValueError as exc:
        parser.error(f"--var must be name=<JSON value>: {exc}")
    try:
        plan = render(args.env, tfvars=args.tfvars, variables=variables)
    except (PlanError, toolchain.ToolchainError) as exc:
        print(exc, file=sys.stderr)
        return 1
    summary = plan.by_type() if args.addresses else plan.counts()
    print(yaml.safe_dump(summary, sort_keys=True, default_flow_style=False), end="")
    print(f"# {len(plan.resources)} resources, key {plan.key[:12]} ({'cached' if plan.cached else 'rendered'})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
