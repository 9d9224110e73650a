"""Drift: does a deployed environment still match its state, and its state its code?

Two questions, two plans:

- **cloud drift**: ``terraform plan -refresh-only``; its ``resource_drift`` lists every resource
  whose object in the cloud differs from the state (changed or deleted out of band). Drift counts
  in the arguments the configuration sets (and tags: ``default_tags`` are code too). An attribute
  the code leaves to the provider is reported apart, as information: ``aws_s3_bucket.policy`` reads
  back the policy that ``aws_s3_bucket_policy`` manages, and was empty in the state when the bucket
  was created, so it changes after every first apply without anyone touching the account;
- **pending code**: ``terraform plan -refresh=false``; its ``resource_changes`` compare the code
  with the state alone, so a change made in the cloud never shows up as "pending code" too.

Exit codes: 0 both clean, 2 cloud drift, 3 only code pending, 1 error. The report (Markdown and
JSON) names each drifted resource and attribute with its value in the state and in the cloud.

    python -m journey_guard.ops.drift dev [--moto URL] [--name-suffix S]   # runs terraform/deploy.sh dev drift
    terraform/deploy.sh dev drift                                      # sets up the backend, then calls:
    python -m journey_guard.ops.drift dev --chdir terraform --plan-dir D -- <terraform variable args>

The integration tests call ``check`` with a ``journey_guard.ephemeral.deploy.Deployment`` (same planner
method). Standard library only: ``deploy.sh`` runs it with the system's python3.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from journey_guard.paths import BUILD_DIR, TERRAFORM_DIR
from journey_guard.terraform.values import differences, mask, open_json

EXIT_CLEAN, EXIT_ERROR, EXIT_CLOUD_DRIFT, EXIT_PENDING_CODE = 0, 1, 2, 3
RESULTS = {EXIT_CLEAN: "clean", EXIT_CLOUD_DRIFT: "cloud drift", EXIT_PENDING_CODE: "pending code"}
REPORT_DIR_ENV = "UJA_DRIFT_REPORT_DIR"
DEPLOY_SH = TERRAFORM_DIR / "deploy.sh"
WHOLE_RESOURCE = "(resource)"
# Computed from the provider's default_tags (code) and the resource's own tags (code, when set).
ALWAYS_MANAGED = frozenset({"tags", "tags_all"})
_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")
# A Markdown cell shows this much of a value; the JSON report has all of it.
CELL_LIMIT = 300


class DriftError(RuntimeError):
    """A plan could not be made or read; the message names the step and carries Terraform's output."""


class Planner(Protocol):
    """Makes a saved plan with extra flags: its ``terraform show -json``, None when it is empty."""

    def plan_json(self, name: str, *flags: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class AttributeDrift:
    attribute: str
    state: Any
    cloud: Any


@dataclass(frozen=True)
class ResourceDrift:
    address: str
    type: str
    action: str
    attributes: tuple[AttributeDrift, ...]
    # Changed attributes that the configuration does not set (information, not drift).
    computed: tuple[AttributeDrift, ...] = ()


@dataclass(frozen=True)
class PendingChange:
    address: str
    actions: tuple[str, ...]


@dataclass
class Report:
    environment: str
    cloud_drift: list[ResourceDrift] = field(default_factory=list)
    pending_code: list[PendingChange] = field(default_factory=list)
    computed_changes: list[ResourceDrift] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.cloud_drift:
            return EXIT_CLOUD_DRIFT
        return EXIT_PENDING_CODE if self.pending_code else EXIT_CLEAN

    @property
    def result(self) -> str:
        return RESULTS[self.exit_code]

    def drifted(self) -> dict[str, set[str]]:
        """Address -> drifted attribute paths (what a test compares with what it changed)."""
        return {r.address: {a.attribute for a in r.attributes} for r in self.cloud_drift}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Report:
        """The inverse of ``to_json`` (KeyError or TypeError on a document that is not one)."""

        def resources(items: list[dict[str, Any]]) -> list[ResourceDrift]:
            return [
                ResourceDrift(
                    r["address"],
                    r["type"],
                    r["action"],
                    tuple(AttributeDrift(**a) for a in r["attributes"]),
                    tuple(AttributeDrift(**a) for a in r["computed"]),
                )
                for r in items
            ]

        pending = [PendingChange(c["address"], tuple(c["actions"])) for c in raw["pending_code"]]
        return cls(raw["environment"], resources(raw["cloud_drift"]), pending, resources(raw["computed_changes"]))

    def to_json(self) -> dict[str, Any]:
        return {"environment": self.environment, "result": self.result, "exit_code": self.exit_code, **asdict(self)}

    def markdown(self) -> str:
        lines = [f"# Drift check: {self.environment}", "", f"Result: **{self.result}** (exit {self.exit_code})", ""]
        lines += ["## Cloud drift (refresh-only plan: the cloud differs from the state)", ""]
        if self.cloud_drift:
            lines += ["| resource | attribute | in state | in cloud |", "|---|---|---|---|"]
            for res in self.cloud_drift:
                lines += [f"| `{res.address}` | `{a.attribute}` | " + " | ".join(_cells(a.state, a.cloud)) + " |" for a in res.attributes]
        else:
            lines.append("none")
        lines += ["", "## Pending code (plan without refresh: the code differs from the state)", ""]
        if self.pending_code:
            lines += ["| resource | actions |", "|---|---|", *(f"| `{c.address}` | {', '.join(c.actions)} |" for c in self.pending_code)]
        else:
            lines.append("none")
        if self.computed_changes:
            lines += ["", "## Also changed in the cloud, not set by the code (information)", ""]
            lines += [f"- `{r.address}`: " + ", ".join(f"`{a.attribute}`" for a in r.computed) for r in self.computed_changes]
        return "\n".join(lines) + "\n"

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        md, js = directory / f"drift-{self.environment}.md", directory / f"drift-{self.environment}.json"
        md.write_text(self.markdown())
        js.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True, default=str) + "\n")
        return md, js


def _cell(value: Any, prefix: str = "") -> str:
    text = prefix + ("absent" if value is None else json.dumps(value, sort_keys=True, default=str))
    text = text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 3] + "..."
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def _cells(state: Any, cloud: Any) -> tuple[str, str]:
    """State and cloud cells; two lists show what only each side has (a statement added to a policy)."""
    if not (isinstance(state, list) and isinstance(cloud, list)):
        return _cell(state), _cell(cloud)
    shared = sum(1 for item in state if item in cloud)
    label = f"{shared} shared, only here: " if shared else ""
    return _cell([i for i in state if i not in cloud], label), _cell([i for i in cloud if i not in state], label)


def _require(plan: Any, what: str) -> dict[str, Any]:
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise DriftError(f"{what}: not the JSON of `terraform show -json <plan>` (no format_version)")
    return plan


def _configured_arguments(plan: dict[str, Any]) -> dict[str, set[str]]:
    """Resource address without instance keys -> the arguments its configuration sets."""
    out: dict[str, set[str]] = {}

    def walk(module: dict[str, Any], prefix: str) -> None:
        for resource in module.get("resources", []):
            out[prefix + resource["address"]] = set(resource.get("expressions", {}))
        for name, call in module.get("module_calls", {}).items():
            walk(call.get("module", {}), f"{prefix}module.{name}.")

    walk(plan.get("configuration", {}).get("root_module", {}), "")
    return out


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def cloud_drift(refresh_only_plan: dict[str, Any] | None) -> tuple[list[ResourceDrift], list[ResourceDrift]]:
    """The refresh-only plan's drift: (resources whose code-set arguments changed or that are gone,
    resources where only attributes the code leaves to the provider changed)."""
    if refresh_only_plan is None:  # an empty plan
        return [], []
    plan = _require(refresh_only_plan, "refresh-only plan")
    configured = _configured_arguments(plan)
    drifted, computed = [], []
    for index, entry in enumerate(plan.get("resource_drift", [])):
        change = entry.get("change") if isinstance(entry, dict) else None
        if not isinstance(change, dict) or "actions" not in change or "address" not in entry:
            raise DriftError(f"refresh-only plan: resource_drift[{index}] has no address or change.actions")
        actions = change["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        action = "+".join(actions)
        if change.get("after") is None:
            drifted.append(
                ResourceDrift(entry["address"], entry.get("type", ""), action, (AttributeDrift(WHOLE_RESOURCE, "present", None),))
            )
            continue
        before = open_json(mask(change.get("before"), change.get("before_sensitive")))
        after = open_json(mask(change.get("after"), change.get("after_sensitive")))
        # Without a configuration (a foreign plan JSON) every attribute counts.
        arguments = configured.get(_INSTANCE_KEY.sub("", entry["address"]))
        managed, other = [], []
        for path, (b, a) in differences(before, after):
            counts = arguments is None or _top(path) in arguments or _top(path) in ALWAYS_MANAGED
            (managed if counts else other).append(AttributeDrift(path, b, a))
        resource = ResourceDrift(entry["address"], entry.get("type", ""), action, tuple(managed), tuple(other))
        if managed:
            drifted.append(resource)
        elif other:
            computed.append(resource)
    return sorted(drifted, key=lambda r: r.address), sorted(computed, key=lambda r: r.address)


def pending_code(plan_without_refresh: dict[str, Any] | None) -> list[PendingChange]:
    """Every resource a plan against the unrefreshed state would change."""
    if plan_without_refresh is None:  # an empty plan
        return []
    plan = _require(plan_without_refresh, "plan")
    if any(not isinstance(rc.get("change"), dict) or "actions" not in rc["change"] for rc in plan.get("resource_changes", [])):
        raise DriftError("plan: a resource_changes entry has no change.actions")
    return sorted(
        (
            PendingChange(rc["address"], tuple(rc["change"]["actions"]))
            for rc in plan.get("resource_changes", [])
            if rc["change"]["actions"] not in (["no-op"], ["read"])
        ),
        key=lambda c: c.address,
    )


def check(planner: Planner, environment: str) -> Report:
    """Both plans, one report (a ``Deployment`` or a ``TerraformPlanner`` makes them)."""
    refreshed = planner.plan_json("drift-refresh-only", "-refresh-only")
    code = planner.plan_json("drift-code", "-refresh=false")
    drifted, computed = cloud_drift(refreshed)
    return Report(environment, drifted, pending_code(code), computed)


@dataclass(frozen=True)
class TerraformPlanner:
    """Plans in an initialised root (``deploy.sh`` did init), plan files kept in ``plan_dir``."""

    chdir: Path
    plan_dir: Path
    args: Sequence[str] = ()
    terraform: str = "terraform"

    def _run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        cmd = [self.terraform, f"-chdir={self.chdir}", *args]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise DriftError(f"cannot run {self.terraform}: {exc}") from exc
        if proc.returncode not in ok_codes:
            raise DriftError(f"terraform {args[0]} in {self.chdir} failed (exit {proc.returncode}):\n{proc.stderr or proc.stdout}")
        return proc

    def plan_json(self, name: str, *flags: str) -> dict[str, Any] | None:
        self.plan_dir.mkdir(parents=True, exist_ok=True)
        out = (self.plan_dir / f"{name}.tfplan").resolve()
        plan = self._run("plan", "-detailed-exitcode", "-input=false", "-no-color", f"-out={out}", *flags, *self.args, ok_codes=(0, 2))
        if plan.returncode == 0:
            return None
        try:
            return json.loads(self._run("show", "-json", str(out)).stdout)
        except ValueError as exc:
            raise DriftError(f"terraform show -json {out}: not JSON: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m journey_guard.ops.drift", description="Cloud drift and pending code of one environment."
    )
    parser.add_argument("env", help="an environment of terraform/environments/ (deploy.sh refuses others)")
    parser.add_argument("--moto", metavar="URL", help="a moto server (passed to deploy.sh)")
    parser.add_argument("--name-suffix", metavar="S", help="the deployment's name suffix (passed to deploy.sh)")
    parser.add_argument("--chdir", type=Path, help="an initialised root: plan there with the arguments after --")
    parser.add_argument("--plan-dir", type=Path, help="where --chdir keeps its plan files (default: the report directory)")
    parser.add_argument("--report-dir", type=Path, help=f"drift-<env>.md/.json (default ${REPORT_DIR_ENV} or build/drift)")
    parser.epilog = "after --: terraform variable arguments (with --chdir)"
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args, terraform_args = parser.parse_args(argv[:split]), argv[split + 1 :]
    report_dir = args.report_dir or Path(os.environ.get(REPORT_DIR_ENV) or BUILD_DIR / "drift")
    if args.chdir is None:
        if terraform_args:
            parser.error("terraform arguments need --chdir")
        # deploy.sh sets up backend, credentials and variables, then calls back with --chdir.
        options = [*(["--moto", args.moto] if args.moto else []), *(["--name-suffix", args.name_suffix] if args.name_suffix else [])]
        env = {**os.environ, REPORT_DIR_ENV: str(report_dir.resolve())}
        return subprocess.run([str(DEPLOY_SH), *options, args.env, "drift"], env=env, check=False).returncode
    planner = TerraformPlanner(args.chdir, args.plan_dir or report_dir, terraform_args)
    try:
        report = check(planner, args.env)
    except DriftError as exc:
        print(f"drift: {exc}", file=sys.stderr)
        return EXIT_ERROR
    md, js = report.write(report_dir)
    print(report.markdown(), end="")
    print(f"drift: {report.result} (exit {report.exit_code}); reports {md} and {js}", file=sys.stderr)
    return report.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
