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
they run in) with ``journey_guard.hermetic``'s override files: a local backend, fake static
credentials, every endpoint of every ``provider "aws"`` block on an unreachable loopback address,
``max_retries = 1`` (no back-off against it), and ``-refresh=false``. ``render`` plans this
repository's environments (``account_id`` and ``availability_zones`` must be given, so no data source
calls AWS; it refuses otherwise); ``render_root`` plans any root (the bootstrap, another team's).

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
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import tftest
import yaml

from journey_guard import environments, hermetic, progress, tf, toolchain
from journey_guard.inventory import short_diff  # noqa: F401  (part of this module's API)
from journey_guard.paths import BUILD_DIR, REPO, TERRAFORM_DIR, cache_dir, file_lock

# Bump when the cached JSON or the key's recipe changes, so old entries are never read.
CACHE_FORMAT = "4"
CACHE_ENTRIES = 200
HERMETIC_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}
# A root whose provider block names no region gets this one: the caller's AWS_REGION never leaks in.
DEFAULT_REGION = "us-east-1"
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
REQUIRED_VARIABLES = ("account_id", "availability_zones")
VALIDATION_FAILURE = "Invalid value for variable"
CACHED_ERROR = "journey_guard_plan_error"


def _progress(line: str) -> None:
    progress.emit("plan", line)


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


def plan_env() -> dict[str, str]:
    # Nothing of the caller's AWS set-up may reach the provider: only the overrides' settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "TF_LOG"}
    env.update(_toolchain().env())
    env.update(HERMETIC_ENV)
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    return env


def _plan_affecting_env() -> dict[str, str]:
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith(PLAN_ENV_PREFIXES) or k in PLAN_ENV_NAMES}


@dataclass(frozen=True)
class Inputs:
    """Everything one render reads, resolved to absolute paths.

    ``base`` is the directory copied (the root, or the smallest directory holding the root and every
    local module it calls); ``tree`` is the root inside it. ``env`` is set for this repository's
    environments, whose tfvars is the first var file.
    """

    tree: Path
    base: Path
    var_files: tuple[Path, ...] = ()
    variables: Mapping[str, Any] = field(default_factory=dict)
    artifacts: Path | None = None
    env: str | None = None

    @property
    def label(self) -> str:
        return self.env or self.tree.name

    def moved(self, base: Path) -> Inputs:
        """The same inputs with ``base`` copied to ``base`` (var files inside it follow)."""

        def follow(path: Path) -> Path:
            return base / path.relative_to(self.base) if path.is_relative_to(self.base) else path

        return dataclasses.replace(self, base=base, tree=follow(self.tree), var_files=tuple(map(follow, self.var_files)))

    def check(self) -> None:
        if not any(self.tree.glob("*.tf")) and not any(self.tree.glob("*.tf.json")):
            raise PlanError(f"{self.tree} is not a Terraform root (no .tf files)")
        for path in self.var_files:
            if not path.is_file():
                raise PlanError(f"tfvars file {path} does not exist")


def _base(tree: Path) -> Path:
    dirs = hermetic.module_dirs(tree)
    return Path(os.path.commonpath([str(d) for d in dirs])) if dirs else tree


def root_inputs(
    root: str | Path,
    *,
    var_files: Sequence[str | Path] = (),
    variables: Mapping[str, Any] | None = None,
    artifacts: str | Path | None = None,
) -> Inputs:
    tree = Path(root).resolve()
    return Inputs(
        tree=tree,
        base=_base(tree),
        var_files=tuple(Path(p).resolve() for p in var_files),
        variables=dict(variables or {}),
        artifacts=Path(artifacts).resolve() if artifacts is not None else None,
    )


def make_inputs(
    env: str,
    *,
    tfvars: Sequence[str | Path] = (),
    variables: Mapping[str, Any] | None = None,
    tree: str | Path = TERRAFORM_DIR,
    artifacts: str | Path = BUILD_DIR,
) -> Inputs:
    """Inputs of this repository's environment ``env``: its tfvars, then ``tfvars``, then ``variables``."""
    root = Path(tree).resolve()
    try:
        environments.require(env, root)
    except environments.UnknownEnvironment as exc:
        raise PlanError(str(exc)) from exc
    env_tfvars = root / "environments" / f"{env}.tfvars"
    inputs = root_inputs(root, var_files=[env_tfvars, *tfvars], variables=variables, artifacts=artifacts)
    return dataclasses.replace(inputs, env=env)


def _check_account_inputs(inputs: Inputs) -> None:
    # A null account_id or zone list makes this root's data sources call AWS: refuse at once.
    text = "\n".join(p.read_text() for p in inputs.var_files)
    for name in REQUIRED_VARIABLES:
        given = inputs.variables.get(name) is not None or re.search(rf"(?m)^\s*{name}\s*=\s*(?!null\b)\S", text)
        if not given:
            files = [str(p) for p in inputs.var_files[1:]]
            raise PlanError(f"{name} is not set in {files} or variables: a hermetic plan needs it")


def cache_key(inputs: Inputs) -> str:
    """sha256 over the tree, the var files, the artifacts, the variables, the overrides, the CLI config and versions."""
    chain = _toolchain()
    own_files = [p for p in inputs.var_files if p.is_relative_to(inputs.base)]
    parts = {
        "format": CACHE_FORMAT,
        "root": inputs.tree.relative_to(inputs.base).as_posix(),
        # An environment reads only its own tfvars of environments/ (in var_files), not the others.
        "tree": tree_digest(inputs.base, TREE_PER_ENVIRONMENT if inputs.env else frozenset()),
        "var_files": [(p.relative_to(inputs.base).as_posix() if p in own_files else "", _digest_file(p)) for p in inputs.var_files],
        "artifacts": {name: tree_digest(inputs.artifacts / name) for name in ARTIFACT_DIRS} if inputs.artifacts else None,
        "variables": dict(inputs.variables),
        "hermetic": _digest_file(Path(hermetic.__file__)),
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


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------
def _copy_tree(tree: Path, dst: Path) -> None:
    """Copy what ``tree_digest`` hashes, nothing else."""
    shutil.copytree(tree, dst, ignore=lambda d, names: {n for n in names if _ignored(Path(d, n).relative_to(tree))})


def _init_digest(base: Path) -> str:
    # What init installs depends on the module calls and provider requirements (.tf) and the lock.
    h = hashlib.sha256(Path(_toolchain().cli_config).read_bytes() + _toolchain().terraform_version.encode())
    for path in sorted([*base.rglob("*.tf"), *base.rglob(".terraform.lock.hcl")]):
        rel = path.relative_to(base)
        if path.is_file() and not _ignored(rel):
            h.update(rel.as_posix().encode() + b"\0" + _digest_file(path).encode())
    return h.hexdigest()[:20]


def initialised_template(tree: Path = TERRAFORM_DIR, base: Path | None = None) -> Path:
    """An initialised copy of root ``tree`` (local backend), done once per init inputs; returns the root's copy."""
    base = (base or _base(tree.resolve())).resolve()
    rel = tree.resolve().relative_to(base)
    root = cache_dir("plans", "init", _init_digest(base))
    work = root / "base" / rel
    stamp = root / f".complete-{hashlib.sha256(rel.as_posix().encode()).hexdigest()[:8]}"
    if stamp.exists():
        return work
    with tf.init_lock():
        if stamp.exists():
            return work
        if not (root / "base").is_dir():
            _copy_tree(base, root / "base")
        (work / hermetic.OVERRIDE_FILE).write_text(hermetic.BACKEND_OVERRIDE)
        lockfile = ["-lockfile=readonly"] if (tree / ".terraform.lock.hcl").is_file() else []
        try:
            tf.run(work, "init", "-input=false", "-no-color", *lockfile, env=plan_env())
        except tf.TerraformError as exc:
            raise PlanError(str(exc)) from exc
        stamp.write_text("ok\n")
    return work


def provider_endpoints(tree: Path = TERRAFORM_DIR) -> list[str]:
    """Every endpoint name of the aws provider ``tree`` installs (its schema, cached per version)."""
    template = initialised_template(tree)
    if hermetic.provider_version(template) is None:
        return []  # the root does not use hashicorp/aws
    return hermetic.endpoints_for(template, _toolchain().terraform, plan_env(), cache_dir("plans"))


def prepare(inputs: Inputs, settings: hermetic.Settings | None = None) -> list[str]:
    """Make the copy at ``inputs.base`` ready to plan: ``.terraform``, overrides, ``../build``, variables.

    Returns the ``-var-file`` values, in order. ``inputs`` must describe a private copy (see ``copy``).
    """
    work = inputs.tree
    template = initialised_template(work, inputs.base)
    shutil.copytree(template / ".terraform", work / ".terraform", symlinks=True)
    if not (work / ".terraform.lock.hcl").exists() and (template / ".terraform.lock.hcl").exists():
        shutil.copy(template / ".terraform.lock.hcl", work)  # init wrote one for a root without
    hermetic.write_overrides(work, settings or hermetic.Settings(), provider_endpoints(work) if hermetic.uses_aws(work) else [])
    if inputs.artifacts is not None:
        # artifacts_dir defaults to ../build: the copy sees the artifacts where the tree would.
        os.symlink(inputs.artifacts, work.parent / "build", target_is_directory=True)
    variables = inputs.base.parent / "variables.tfvars.json"
    variables.write_text(json.dumps(dict(inputs.variables)))
    return [*(str(p.relative_to(work)) if p.is_relative_to(work) else str(p) for p in inputs.var_files), str(variables)]


def copy(inputs: Inputs, dst: Path) -> Inputs:
    """Copy what ``inputs`` plans to ``dst/<base name>`` (what the cache key hashes, nothing else)."""
    moved = inputs.moved(dst / inputs.base.name)
    _copy_tree(inputs.base, moved.base)
    return moved


def _terraform_plan(inputs: Inputs) -> dict:
    """Plan ``inputs.tree`` inside a private snapshot."""
    var_files = prepare(inputs)
    runner = tftest.TerraformTest(str(inputs.tree), binary=_toolchain().terraform, env=plan_env())
    try:
        out = runner.plan(output=True, refresh=False, lock=False, tf_var_file=var_files)
    except tftest.TerraformTestError as exc:
        detail = exc.cmd_error or str(exc)
        raise PlanError(
            f"terraform plan of {inputs.label} ({', '.join(var_files[:-1]) or 'no var files'}) failed:\n{detail.strip()}"
        ) from exc
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
    """Plan this repository's ``tree`` with ``environments/<env>.tfvars``, then ``tfvars``, then ``variables``.

    Raises ``PlanError`` with Terraform's diagnostics (validation messages included) on failure.
    """
    inputs = make_inputs(env, tfvars=tfvars, variables=variables, tree=tree, artifacts=artifacts)
    inputs.check()
    _check_account_inputs(inputs)
    return _render(inputs, use_cache)


def render_root(
    root: str | Path,
    *,
    var_files: Sequence[str | Path] = (),
    variables: Mapping[str, Any] | None = None,
    artifacts: str | Path | None = None,
    use_cache: bool = True,
) -> Plan:
    """A hermetic, cached plan of any Terraform root (its own provider blocks overridden, see ``hermetic``)."""
    inputs = root_inputs(root, var_files=var_files, variables=variables, artifacts=artifacts)
    inputs.check()
    return _render(inputs, use_cache)


def check_variables(
    env: str,
    *,
    tfvars: Sequence[str | Path] = (),
    variables: Mapping[str, Any] | None = None,
    tree: str | Path = TERRAFORM_DIR,
) -> None:
    """Raise ``PlanError`` (Terraform's own message) when the root's variable validations reject the inputs.

    Terraform validates a root's input variables before it plans anything, so a root holding only the
    ``variable`` blocks answers the same, in about half a second and with no provider: the negative
    cases need no plan of the whole system. Module variables are not checked here (``render`` does).
    """
    inputs = make_inputs(env, tfvars=tfvars, variables=variables, tree=tree)
    inputs.check()
    declarations = [
        f"{header} {{{body}}}\n"
        for path in sorted(inputs.tree.glob("*.tf"))
        for header, body in hermetic.top_blocks(path.read_text())
        if re.match(r'variable\s+"', header)
    ]
    with tempfile.TemporaryDirectory(prefix="uja-vars-") as tmp:
        (Path(tmp) / "variables.tf").write_text("\n".join(declarations))
        # The environment validation reads environments/ (journey_guard.environments): give it the folder.
        shutil.copytree(inputs.tree / "environments", Path(tmp) / "environments")
        values = Path(tmp) / "variables.tfvars.json"
        values.write_text(json.dumps(dict(inputs.variables)))
        args = [
            "plan",
            "-refresh=false",
            "-lock=false",
            "-input=false",
            "-no-color",
            *(f"-var-file={p}" for p in [*inputs.var_files, values]),
        ]
        proc = tf.run(Path(tmp), *args, env=plan_env(), check=False)
    if proc.returncode != 0:
        raise PlanError(f"terraform plan of {env} rejected its variables:\n{proc.stderr.strip() or proc.stdout.strip()}")


def _render(inputs: Inputs, use_cache: bool) -> Plan:
    # Snapshot first: the key then describes exactly the files planned, even while someone edits.
    with tempfile.TemporaryDirectory(prefix="uja-plan-") as tmp:
        snapshot = copy(inputs, Path(tmp) / "base")
        key = cache_key(snapshot)
        path = plan_cache_dir() / f"{key}.json"
        hit = _cached(snapshot.label, key, path) if use_cache else None
        if hit is None:
            with file_lock(plan_cache_dir() / f"{key}.lock"):
                hit = _cached(snapshot.label, key, path) if use_cache else None
                if hit is None:
                    return _render_locked(inputs, snapshot, key, path)
    _progress(f"{_describe(inputs)}: cache hit ({key[:12]})")
    return hit


def _describe(inputs: Inputs) -> str:
    root = inputs.tree.relative_to(REPO) if inputs.tree.is_relative_to(REPO) else inputs.tree
    return f"{root} {inputs.label}" if inputs.env else str(root)


def _render_locked(inputs: Inputs, snapshot: Inputs, key: str, path: Path) -> Plan:
    _progress(f"{_describe(inputs)}: rendering (cache miss {key[:12]})")
    started = time.monotonic()
    try:
        raw = _terraform_plan(snapshot)
    except PlanError as exc:
        _progress(f"{_describe(inputs)}: failed after {time.monotonic() - started:.1f} s")
        # A rejected variable value is as deterministic as a plan: remember it too.
        if VALIDATION_FAILURE in str(exc):
            _write_atomic(path, {CACHED_ERROR: str(exc)})
        raise
    _write_atomic(path, raw)
    _progress(f"{_describe(inputs)}: rendered in {time.monotonic() - started:.1f} s")
    return Plan(snapshot.label, key, raw, cached=False)


def _cached(label: str, key: str, path: Path) -> Plan | None:
    try:
        raw = json.loads(path.read_text())
        os.utime(path)  # least recently used goes first when the cache is pruned
    except FileNotFoundError:  # not rendered yet, or just pruned by another process
        return None
    if CACHED_ERROR in raw:
        raise PlanError(raw[CACHED_ERROR])
    return Plan(label, key, raw, cached=True)


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
_ITERATOR = re.compile(r"(^|\.)(each\.(key|value)|count\.index)$")
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
                # The resource type wins over an attribute named `type` (aws_ce_cost_allocation_tag has one).
                out[res["address"]] = {**(values or {}), "type": res["type"]}
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

    def _config_resource(self, address: str) -> tuple[list[str], Mapping[str, Any]]:
        """The module path of ``address`` and its resource block in the plan's configuration."""
        plain = _INDEX.sub("", address).split(".")
        module_path = [plain[i + 1] for i in range(0, len(plain) - 2, 2) if plain[i] == "module"]
        resource = ".".join(plain[2 * len(module_path) :])
        config = next((r for r in self._config_module(module_path).get("resources", []) if r["address"] == resource), None)
        if config is None:
            raise KeyError(f"{address}: no resource {resource} in the plan's configuration")
        return module_path, config

    def references(self, address: str, attribute: str) -> set[str]:
        """What ``attribute`` (dotted, through nested blocks) of ``address`` refers to, traced through
        module input variables up to the module that defines the value, as root-relative references
        (``module.keys.key_arns["storage"]``). Locals are not in the plan's configuration; a reference
        to one stays ``module.<m>.local.<name>``."""
        module_path, config = self._config_resource(address)
        refs: set[str] = set()
        for expr in _dig(config.get("expressions", {}), attribute.split(".")):
            refs |= self._resolve(module_path, expr.get("references", []))
        return refs

    def existence_references(self, address: str) -> set[str]:
        """What decides whether ``address`` exists: the references of its ``count``/``for_each`` and of every
        module call around it, traced to the root like ``references`` (``var.flink_enabled``). A reference
        into a local (``module.monitoring.local.alarms``) stays as it is: the configuration has no locals."""
        module_path, config = self._config_resource(address)
        levels = [(module_path, config)] + [
            (module_path[:depth], self._config_module(module_path[:depth]).get("module_calls", {}).get(module_path[depth], {}))
            for depth in range(len(module_path))
        ]
        refs: set[str] = set()
        for path, block in levels:
            for key in ("count_expression", "for_each_expression"):
                refs |= self._resolve(path, block.get(key, {}).get("references", []))
        # each.key / count.index say nothing about existence; the collections they iterate do.
        return {r for r in refs if not _ITERATOR.search(r)}

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
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        from journey_guard import envdiff  # imports this module

        return envdiff.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m journey_guard.plans", description="Render (cached) and summarise a plan (or: diff ENV ENV...)."
    )
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
