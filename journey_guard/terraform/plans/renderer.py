"""Render ``terraform plan`` of any root, hermetic and cached: ``render`` (this repository's
environments), ``render_root`` (any root), ``check_variables`` (the root's variable validations alone).

Hermetic: a temp copy of the tree (never the working tree: tftest and init write into the directory
they run in) with ``journey_guard.terraform.hermetic``'s override files: a local backend, fake static
credentials, every endpoint of every ``provider "aws"`` block on an unreachable loopback address,
``max_retries = 1`` (no back-off against it), and ``-refresh=false``. ``render`` plans this
repository's environments (``account_id`` and ``availability_zones`` must be given, so no data source
calls AWS; it refuses otherwise); ``render_root`` plans any root (the bootstrap, another team's).

Fast: ``terraform init`` runs once per set of init inputs into a template under the user cache
(under ``journey_guard.terraform.tf.init_lock``) and every render copies its small ``.terraform`` (providers
are symlinks into the plugin cache). The plan JSON is cached (``journey_guard.terraform.plans.cache``);
a per-key file lock lets parallel workers that want the same plan wait for one render instead of
repeating it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tftest

from journey_guard import progress
from journey_guard.paths import BUILD_DIR, REPO, TERRAFORM_DIR, cache_dir, file_lock
from journey_guard.terraform import environments, hermetic, tf
from journey_guard.terraform.plans import cache
from journey_guard.terraform.plans.model import Plan, PlanError

HERMETIC_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}
# A root whose provider block names no region gets this one: the caller's AWS_REGION never leaks in.
DEFAULT_REGION = "us-east-1"
REQUIRED_VARIABLES = ("account_id", "availability_zones")
VALIDATION_FAILURE = "Invalid value for variable"


def _progress(line: str) -> None:
    progress.emit("plan", line)


# tftest logs a failed command at CRITICAL; without this Python's last-resort handler prints it again.
logging.getLogger("tftest").addHandler(logging.NullHandler())


def plan_env() -> dict[str, str]:
    # Nothing of the caller's AWS set-up may reach the provider: only the overrides' settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "TF_LOG"}
    env.update(cache.terraform_toolchain().env())
    env.update(HERMETIC_ENV)
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    return env


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


def _copy_tree(tree: Path, dst: Path) -> None:
    """Copy what ``tree_digest`` hashes, nothing else."""
    shutil.copytree(tree, dst, ignore=lambda d, names: {n for n in names if cache.ignored(Path(d, n).relative_to(tree))})


def _init_digest(base: Path) -> str:
    # What init installs depends on the module calls and provider requirements (.tf) and the lock.
    chain = cache.terraform_toolchain()
    h = hashlib.sha256(Path(chain.cli_config).read_bytes() + chain.terraform_version.encode())
    for path in sorted([*base.rglob("*.tf"), *base.rglob(".terraform.lock.hcl")]):
        rel = path.relative_to(base)
        if path.is_file() and not cache.ignored(rel):
            h.update(rel.as_posix().encode() + b"\0" + cache.digest_file(path).encode())
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
    return hermetic.endpoints_for(template, cache.terraform_toolchain().terraform, plan_env(), cache_dir("plans"))


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
    runner = tftest.TerraformTest(str(inputs.tree), binary=cache.terraform_toolchain().terraform, env=plan_env())
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
        # The environment validation reads environments/ (journey_guard.terraform.environments): give it the folder.
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
        key = cache.cache_key(snapshot)
        path = cache.plan_cache_dir() / f"{key}.json"
        hit = cache.read(snapshot.label, key, path) if use_cache else None
        if hit is None:
            with file_lock(cache.plan_cache_dir() / f"{key}.lock"):
                hit = cache.read(snapshot.label, key, path) if use_cache else None
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
            cache.write_atomic(path, {cache.CACHED_ERROR: str(exc)})
        raise
    cache.write_atomic(path, raw)
    _progress(f"{_describe(inputs)}: rendered in {time.monotonic() - started:.1f} s")
    return Plan(snapshot.label, key, raw, cached=False)
