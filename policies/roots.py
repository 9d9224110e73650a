"""Any team's Terraform: find the roots under a directory, scan each on HCL and on a hermetic plan.

A directory with ``.tf`` files is a root unless another directory calls it as a local module
(``source = "./..."``/``"../..."``): modules are scanned through the roots that call them, with the
values those calls pass. Each root is planned with the hermetic override mechanism
(``journey_guard.terraform.plans.render_root``: its own provider blocks, aliases and child modules' included,
pointed at a local moto server the gate starts, so data sources such as caller identity, region
and availability zones are answered). When a plan is impossible (a required variable unset, a
data source moto cannot answer, a provider other than aws, a module source that cannot be
fetched) the root's report says why and the plan-only checks are UNKNOWN for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from policies import gate, plan_checks, waivers

MODULE_BLOCK = re.compile(r'^\s*module\s+"[^"]+"\s*\{', re.MULTILINE)
SOURCE = re.compile(r'^\s*source\s*=\s*"(?P<source>[^"]+)"', re.MULTILINE)
RESOURCE_TYPE = re.compile(r'^\s*(?:resource|data)\s+"(?P<type>[a-z0-9]+)_[a-z0-9_]+"', re.MULTILINE)
AWS_DATA = re.compile(r'^\s*data\s+"(?P<type>aws_[a-z0-9_]+)"\s+"(?P<name>[^"]+)"', re.MULTILINE)
ERROR_LINE = re.compile(r"^\s*(?:\u2502\s*)?Error: (?P<summary>.+)$", re.MULTILINE)
# Providers that need no registry and no AWS: Terraform's own.
BUILTIN_PREFIXES = {"terraform"}
# Data sources evaluated by the provider without an AWS call.
LOCAL_DATA = {"aws_iam_policy_document", "aws_partition", "aws_arn"}
PLAN_ACCOUNT = "123456789012"
# The attributes of a data source the report quotes (the values every later check saw).
ANSWER_KEYS = {"account_id", "arn", "name", "names", "region"}
# Terraform's diagnostics become the report's reason; checkov's root logger would print them again.
logging.getLogger("tftest").propagate = False


def _tf_dirs(tree: Path) -> list[Path]:
    return sorted(
        {p.parent for p in tree.rglob("*.tf") if not any(part.startswith(".") for part in p.relative_to(tree).parts[:-1])},
    )


def _text(directory: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(directory.glob("*.tf")))


def module_sources(text: str) -> list[str]:
    """The ``source`` of every module block in ``text`` (the block found by matching braces)."""
    found = []
    for match in MODULE_BLOCK.finditer(text):
        depth, end = 1, match.end()
        while depth and end < len(text):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        body = text[match.end() : end]
        source = SOURCE.search(re.sub(r"\{[^{}]*\}", "", body))  # the block's own attribute, not a nested one
        if source:
            found.append(source["source"])
    return found


def _local(source: str) -> bool:
    return source.startswith(("./", "../"))


def local_calls(directory: Path) -> set[Path]:
    """The directories ``directory``'s module blocks call by a local path."""
    return {(directory / s).resolve() for s in module_sources(_text(directory)) if _local(s)}


def discover(tree: Path) -> list[Path]:
    """The roots under ``tree``: every directory with ``.tf`` files that no other directory calls."""
    dirs = [d.resolve() for d in _tf_dirs(tree)]
    called = {c for d in dirs for c in local_calls(d) if c != d}
    return [d for d in dirs if d not in called]


def remote_sources(root: Path) -> list[str]:
    """Module sources under ``root`` (through its local modules) that would have to be downloaded."""
    seen: set[Path] = set()
    pending, remote = [root.resolve()], set()
    while pending:
        directory = pending.pop()
        if directory in seen or not directory.is_dir():
            continue
        seen.add(directory)
        for source in module_sources(_text(directory)):
            if _local(source):
                pending.append((directory / source).resolve())
            else:
                remote.add(source)
    return sorted(remote)


def foreign_providers(root: Path) -> list[str]:
    """Provider prefixes of resources and data sources under ``root`` other than aws (planned without a registry: impossible)."""
    text = "\n".join(p.read_text(errors="replace") for p in root.rglob("*.tf") if ".terraform" not in p.parts)
    return sorted({m["type"] for m in RESOURCE_TYPE.finditer(text)} - {"aws"} - BUILTIN_PREFIXES)


def aws_data_sources(root: Path) -> list[str]:
    """``data.aws_x.y`` blocks under ``root`` that call AWS (what the moto server answers)."""
    text = "\n".join(p.read_text(errors="replace") for p in root.rglob("*.tf") if ".terraform" not in p.parts)
    return sorted({f"data.{m['type']}.{m['name']}" for m in AWS_DATA.finditer(text) if m["type"] not in LOCAL_DATA})


@dataclass
class RootResult(gate.ScanResult):
    """A root's scan with what the report must say about its plan (how it was made, or why not)."""

    notes: list[str] = field(default_factory=list)
    plan_unknown: str | None = None  # why the plan-only checks could not run


def why_unplannable(root: Path) -> str | None:
    """A reason known before running Terraform that this root cannot be planned here."""
    providers = foreign_providers(root)
    if providers:
        return f"provider(s) other than aws ({', '.join(providers)}): only hashicorp/aws is available to plan with"
    remote = remote_sources(root)
    if remote:
        return f"module source(s) {', '.join(remote)} cannot be fetched (no registry or network here)"
    return None


def terraform_reason(message: str) -> str:
    """Terraform's error summaries, one line: what the report says about a failed plan."""
    summaries = list(dict.fromkeys(m["summary"].strip() for m in ERROR_LINE.finditer(message)))
    detail = "; ".join(summaries) or message.strip().splitlines()[-1] if message.strip() else "unknown error"
    required = re.findall(r'variable "([^"]+)" is required|The root module input variable "([^"]+)" is not set', message)
    names = sorted({a or b for a, b in required})
    return f"required variable(s) not set: {', '.join(names)} (pass --var-file)" if names else detail


def _plan_against(root: Path, var_files: Sequence[Path], moto: Callable[[], str]) -> dict:
    """A hermetic plan of ``root`` with every endpoint on the moto server ``moto()`` starts: the same
    copy, init and overrides as ``plans.render_root``, cached (failures too) under the same key plus the
    account moto answers for (its answers depend on nothing else)."""
    import tftest

    from journey_guard.terraform import hermetic, plans

    key = hashlib.sha256(f"{plans.cache_key(plans.root_inputs(root, var_files=var_files))}|moto|{PLAN_ACCOUNT}".encode()).hexdigest()
    cached = plans.plan_cache_dir() / f"{key}.json"
    if cached.is_file():
        raw = json.loads(cached.read_text())
        if plans.CACHED_ERROR in raw:
            raise plans.PlanError(raw[plans.CACHED_ERROR])
        return raw
    with tempfile.TemporaryDirectory(prefix="uja-root-") as tmp:
        inputs = plans.copy(plans.root_inputs(root, var_files=var_files), Path(tmp) / "base")
        files = plans.prepare(inputs, hermetic.Settings(endpoint=moto()))
        runner = tftest.TerraformTest(str(inputs.tree), binary=plans.terraform_toolchain().terraform, env=plans.plan_env())
        try:
            raw = dict(runner.plan(output=True, refresh=False, lock=False, tf_var_file=files))
        except tftest.TerraformTestError as exc:
            message = exc.cmd_error or str(exc)
            # A fresh moto server answers the same every time: a data source it cannot answer fails the
            # same way on every run, so that failure is remembered like a plan.
            if "with data." in message:
                plans.write_atomic(cached, {plans.CACHED_ERROR: message})
            raise plans.PlanError(message) from exc
    plans.write_atomic(cached, raw)
    return raw


def render(root: Path, var_files: Sequence[Path], out: Path, moto: Callable[[], str]) -> tuple[Path | None, list[str], str | None]:
    """The root's plan JSON in ``out`` (or None), notes for the report, and why there is no plan.

    A root without AWS data sources gets the cached hermetic plan (unreachable endpoints); one with
    them is planned against the moto server ``moto()`` starts (once) and the report names them.
    """
    from journey_guard.terraform import plans, toolchain

    reason = why_unplannable(root)
    if reason:
        return None, [], reason
    read = aws_data_sources(root)
    try:
        raw = _plan_against(root, var_files, moto) if read else plans.render_root(root, var_files=var_files).json
    except (plans.PlanError, toolchain.ToolchainError) as exc:
        return None, [], terraform_reason(str(exc))
    out.write_text(json.dumps(raw))
    notes = (
        [f"planned against a local moto server (account {PLAN_ACCOUNT}), which answered {', '.join(answers(raw) or read)}"] if read else []
    )
    return out, notes, None


def answers(raw: dict) -> list[str]:
    """What the plan's data sources read (``address (key=value)``), for the report to name."""

    def walk(module: dict) -> list[dict]:
        return module.get("resources", []) + [r for child in module.get("child_modules", []) for r in walk(child)]

    found = []
    for res in walk(raw.get("prior_state", {}).get("values", {}).get("root_module", {})):
        if res.get("mode") == "data" and res.get("type") not in LOCAL_DATA:
            shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in sorted(res.get("values", {}).items()) if k in ANSWER_KEYS)
            found.append(f"{res['address']} ({shown})" if shown else res["address"])
    return sorted(found)


def scan_root(tree: Path, root: Path, var_files: Sequence[Path], plan: Path | None) -> gate.ScanResult:
    """HCL (with the var-files, other roots below excluded), then the plan, findings at file:line of the tree."""
    others = [d.relative_to(root).as_posix() for d in discover(tree) if d != root and root in d.parents]
    hcl = gate.scan_hcl(root, None, var_files=var_files, excluded=others)
    # gate.judge: plan findings located, HCL verdicts standing where checkov's plan graph is wrong, UNKNOWN.
    result = gate.judge(hcl, plan, None if plan is None else gate.scan_plan(plan, None))
    if plan is not None:
        result.findings = [declared_at(f, root, plan) if f.file == str(plan) else f for f in result.findings]
    return result


def declared_at(finding: gate.Finding, root: Path, plan: Path) -> gate.Finding:
    """A plan finding no HCL record located, pointed at its ``resource`` block through the plan's module
    calls (a temporary plan file is no place to send anyone)."""
    module = json.loads(plan.read_text()).get("configuration", {}).get("root_module", {})
    directory = root
    *calls, rtype, name = re.sub(r"\[[^\]]*\]", "", finding.resource).split(".")
    for call in calls[1::2]:  # module.<name> pairs
        module = module.get("module_calls", {}).get(call, {})
        source = module.get("source", "")
        if not _local(source):
            return finding
        directory, module = (directory / source).resolve(), module.get("module", {})
    block = re.compile(rf'^\s*resource\s+"{re.escape(rtype)}"\s+"{re.escape(name)}"', re.MULTILINE)
    for path in sorted(directory.glob("*.tf")):
        match = block.search(path.read_text(errors="replace"))
        if match:
            line = path.read_text(errors="replace")[: match.start() + 1].count("\n") + 1
            return replace(finding, file=Path(os.path.relpath(path, root)).as_posix(), line=line)
    return finding


def _unknown_findings(rel: str, root: Path, reason: str) -> list[gate.Finding]:
    """Plan-only checks as UNKNOWN findings of the root."""
    first = next(iter(sorted(root.glob("*.tf"))), root)
    file = (first.relative_to(root).as_posix()) if rel == "." else f"{rel}/{first.relative_to(root).as_posix()}"
    return [
        gate.Finding(rule.id, rule.name, rule.severity, None, "plan", rel, file, 1, f"{rule.fix} (not checked: {reason})", status="UNKNOWN")
        for rule in (check.rule for check in plan_checks.PLAN_CHECKS)
    ]


def scan(tree: Path, var_files: Sequence[Path], render_plans: bool, given_plan: Path | None = None) -> list[RootResult]:
    """Every root under ``tree``: one result each, scoped by its path (the tree itself: no scope)."""
    from journey_guard.ephemeral.moto_server import MotoServer

    found = discover(tree)
    results = []
    servers: list[MotoServer] = []

    def moto() -> str:
        if not servers:
            servers.append(MotoServer(PLAN_ACCOUNT, fixes=()).start())
        return servers[0].endpoint_url

    with tempfile.TemporaryDirectory(prefix="uja-roots-") as tmp:
        try:
            for i, root in enumerate(found):
                rel = root.relative_to(tree).as_posix()
                notes: list[str] = []
                reason, plan = None, given_plan
                if render_plans and given_plan is None:
                    plan, notes, reason = render(root, [v.resolve() for v in var_files], Path(tmp) / f"root{i}.plan.json", moto)
                elif given_plan is None:
                    reason = "plans not rendered (--no-plans)"
                scanned = scan_root(tree, root, var_files, plan)
                result = RootResult(None, scanned.findings, scanned.checks, scanned.passed, scanned.resources, scanned.locations)
                unknown = ", ".join(check.rule.id for check in plan_checks.PLAN_CHECKS)
                result.notes = [*notes, f"plan-only checks UNKNOWN ({unknown}): {reason}"] if reason else notes
                result.plan_unknown = reason
                if reason:
                    result.findings += _unknown_findings(rel, root, reason)
                results.append(gate.rescope(result, rel) if rel != "." else result)
        finally:
            for server in servers:
                server.stop()
    return results


def run(
    tree: Path, var_files: Sequence[Path], render_plans: bool, today: dt.date, waivers_path: Path, given_plan: Path | None = None
) -> gate.Outcome:
    """Scan every root, then judge as the gate does: dedupe, waivers, inline skips, bad waivers."""
    from policies import config

    accepted, problems = waivers.validate(waivers.load(waivers_path), today, set(config.load().environments))
    results = scan(tree, var_files, render_plans, given_plan)
    # Deduped root by root: two roots often declare the same addresses (one per environment).
    findings = [f for r in results for f in gate.dedupe(r.findings)] + gate.skip_comments(tree)
    findings, _ = gate.apply_waivers(findings, accepted)
    return gate.Outcome(tree, list(results), findings + gate.waiver_findings(problems, waivers_path))
