"""Run the gate: checkov (built-in + UJA_ checks) on HCL and on plans, per environment, in one process tree.

Each environment is one task: the HCL scan with its var-file, then the plan scan. Tasks run in
forked worker processes (checkov is CPU-bound Python; threads would share one GIL), each with its
environment active for the per-environment checks; checkov and the checks are imported once, before
the fork, so no worker pays checkov's start-up again.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

# Plans carry values only known after apply (key ARNs, queue ARNs): without this checkov drops them
# and an encrypted queue would look unencrypted. Set before checkov parses any plan.
os.environ.setdefault("EVAL_TF_PLAN_AFTER_UNKNOWN", "true")
os.environ.setdefault("CHECKOV_PARALLELIZATION_TYPE", "none")

from checkov.common.output.record import Record
from checkov.common.output.report import Report
from checkov.runner_filter import RunnerFilter
from checkov.terraform.checks.utils.base_cloudsplaining_iam_scanner import BaseTerraformCloudsplainingIAMScanner
from checkov.terraform.plan_runner import Runner as PlanRunner
from checkov.terraform.runner import Runner as HclRunner

import policies.checks  # noqa: F401  (registers the UJA_ checks with checkov)
from policies import config, plan_checks, severity, speedups, waivers
from policies.base import CATALOG, UNDECIDED, Rule, register

speedups.install()

PROVIDER_BLOCK = re.compile(r'^\s*(provider\s+"|backend\s+")', re.MULTILINE)
SKIP_COMMENT = re.compile(r"#\s*(checkov|bridgecrew|bc)\s*:\s*skip", re.IGNORECASE)
INLINE_SKIP = register(
    Rule(
        "UJA_GATE_001",
        "Terraform must not carry inline checkov skip comments",
        "HIGH",
        "Waivers live in one reviewed file (policies/waivers.yaml) with an owner and an expiry.",
        "Delete the #checkov:skip comment and add a waiver to policies/waivers.yaml if the finding is accepted.",
    )
)
PARSE_ERROR = register(
    Rule(
        "UJA_GATE_002",
        "Every Terraform file must parse",
        "HIGH",
        "A file checkov cannot parse is a file no policy checked.",
        "Fix the HCL syntax (terraform validate shows where) so the file can be checked.",
    )
)
UJA_PREFIX = "UJA_"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    name: str
    severity: str
    environment: str | None
    source: str  # "hcl", "plan" or "gate"
    resource: str
    file: str  # relative to the scanned tree, or the plan file
    line: int
    fix: str
    waiver: str | None = None  # the reason of the waiver that accepts it
    scope: str | None = None  # a nested root's path (e.g. bootstrap) when it is not an environment's finding
    status: str = "FAILED"  # or UNKNOWN: no scan (HCL, plan) could decide the check for this resource

    @property
    def unit(self) -> str | None:
        """What the finding belongs to in reports: an environment, a nested root, or None (the tree/gate)."""
        return self.scope or self.environment


@dataclass
class ScanResult:
    environment: str | None
    findings: list[Finding] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)  # id -> name of every check that passed or failed once
    passed: int = 0
    resources: int = 0
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)  # HCL scans: address -> (file, line)
    scope: str | None = None  # set for a nested root scanned on its own
    decided: set[tuple[str, str]] = field(default_factory=set)  # (check id, address) that passed or failed
    undecided: dict[tuple[str, str], int] = field(default_factory=dict)  # UJA_ (check id, address) -> line, UNKNOWN

    @property
    def unit(self) -> str | None:
        return self.scope or self.environment

    @property
    def ran(self) -> set[str]:
        """The UJA_ ids that evaluated at least one resource (proof the custom checks loaded)."""
        return {i for i in self.checks if i.startswith(UJA_PREFIX)}

    def merge(self, other: ScanResult) -> ScanResult:
        return ScanResult(
            self.environment,
            self.findings + other.findings,
            {**self.checks, **other.checks},
            self.passed + other.passed,
            self.resources + other.resources,
            {**other.locations, **self.locations},
            decided=self.decided | other.decided,
        )


def _rule(record: Record) -> Rule:
    if record.check_id in CATALOG:
        return CATALOG[record.check_id]
    fix = record.guideline or f"Make the resource satisfy checkov {record.check_id}: {record.check_name}."
    return Rule(record.check_id, record.check_name, severity.builtin(record.check_id, getattr(record.severity, "name", None)), "", fix)


def _reports(result: Report | list[Report]) -> list[Report]:
    return result if isinstance(result, list) else [result]


def nested_roots(tree: Path) -> list[str]:
    """Directories under ``tree`` that configure a provider: separate roots (e.g. bootstrap/), scanned on their own."""
    found: set[Path] = set()
    for path in tree.rglob("*.tf"):
        rel = path.parent.relative_to(tree)
        if rel.parts and ".terraform" not in rel.parts and PROVIDER_BLOCK.search(path.read_text(errors="replace")):
            found.add(rel)
    return sorted(p.as_posix() for p in found if not any(q in p.parents for q in found))


def _hcl_filter(tree: Path, var_files: Sequence[Path], excluded: list[str] | None = None) -> RunnerFilter:
    return RunnerFilter(
        framework=["terraform"],
        skip_checks=list(config.load().builtin_skips),
        var_files=[str(v) for v in var_files] or None,
        excluded_paths=nested_roots(tree) if excluded is None else excluded,
        show_progress_bar=False,
        download_external_modules=False,
    )


def _plan_filter() -> RunnerFilter:
    # Built-in and UJA_ checks: the plan knows what HCL cannot (values built through locals and
    # `for`, IAM documents, instance keys). Where checkov's plan verdict is known to be wrong
    # (config.yaml builtin_plan_exceptions) the HCL verdict stands: see known_wrong_on_plan.
    return RunnerFilter(
        framework=["terraform_plan"],
        skip_checks=list(config.load().builtin_skips),
        show_progress_bar=False,
        download_external_modules=False,
    )


def _collect(reports: Iterable[Report], env: str | None, source: str) -> ScanResult:
    result = ScanResult(env)
    for report in reports:
        result.resources += len(report.resources)
        for record in report.passed_checks:
            result.passed += 1
            result.checks[record.check_id] = record.check_name
            result.decided.add((record.check_id, record.resource_address or record.resource))
        for record in report.failed_checks:
            result.checks[record.check_id] = record.check_name
            result.decided.add((record.check_id, record.resource_address or record.resource))
            rule = _rule(record)
            address = record.resource_address or record.resource
            line = record.file_line_range[0] if record.file_line_range else 0
            file = record.file_abs_path if source == "plan" else record.file_path.lstrip("/")
            result.findings.append(Finding(rule.id, rule.name, rule.severity, env, source, address, file, line, rule.fix))
        for path in report.parsing_errors:
            result.findings.append(
                Finding(PARSE_ERROR.id, PARSE_ERROR.name, PARSE_ERROR.severity, env, "gate", path, path, 0, PARSE_ERROR.fix)
            )
    return result


def _strip_keys(address: str) -> str:
    """``module.a["x"].aws_s3_bucket.this["y"]`` -> ``module.a.aws_s3_bucket.this`` (HCL addresses lack instance keys)."""
    return re.sub(r"\[[^\]]*\]", "", address)


def _locations(reports: Iterable[Report]) -> dict[str, tuple[str, int]]:
    """Resource address -> (file, first line) from an HCL scan, to point plan findings at source lines."""
    where: dict[str, tuple[str, int]] = {}
    for report in reports:
        for record in report.passed_checks + report.failed_checks:
            address = record.resource_address or record.resource
            loc = (record.file_path.lstrip("/"), record.file_line_range[0] if record.file_line_range else 0)
            where.setdefault(address, loc)
            where.setdefault(_strip_keys(address), loc)
    return where


def hcl_reports(
    tree: Path, env: config.EnvironmentRules | None, var_files: Sequence[Path] = (), excluded: list[str] | None = None
) -> list[Report]:
    """checkov's reports for the HCL under ``tree`` with ``env``'s var-file (and thresholds) applied,
    then ``var_files``; ``excluded`` paths (default: the nested roots) are left out."""
    files = [tree / env.var_file] if env else []
    config.set_active_environment(env)
    runner_filter = _hcl_filter(tree, [*files, *var_files], excluded)
    return _reports(HclRunner().run(root_folder=str(tree), runner_filter=runner_filter, collect_skip_comments=False))


def scan_hcl(
    tree: Path, env: config.EnvironmentRules | None, var_files: Sequence[Path] = (), excluded: list[str] | None = None
) -> ScanResult:
    _fresh_scan()
    reports = hcl_reports(tree, env, var_files=var_files, excluded=excluded)
    result = _collect(reports, env.name if env else None, "hcl")
    result.locations = _locations(reports)
    result.undecided = _drain_undecided()
    return result


def scan_plan(plan: Path, env: config.EnvironmentRules | None) -> ScanResult:
    """checkov's terraform_plan framework with the UJA_ checks, then the whole-plan checks."""
    config.set_active_environment(env)
    _fresh_scan()
    reports = _reports(PlanRunner().run(root_folder=None, files=[str(plan)], runner_filter=_plan_filter(), collect_skip_comments=False))
    result = _collect(reports, env.name if env else None, "plan")
    result.undecided = _drain_undecided()
    for rule, address, passed in plan_checks.run(json.loads(plan.read_text())):
        result.checks[rule.id] = rule.name
        if passed:
            result.passed += 1
        else:
            result.findings.append(Finding(rule.id, rule.name, rule.severity, result.environment, "plan", address, str(plan), 0, rule.fix))
    return result


class _NeverServed(dict):
    """checkov caches the IAM documents of its cloudsplaining checks (CKV_AWS_286-290) by entity path,
    which the for_each instances of a plan share, and for the whole process: every instance would be
    judged on the first one's document. It reads the cache only after ``key in cache.keys()``."""

    def keys(self) -> tuple[()]:  # type: ignore[override]
        return ()


BaseTerraformCloudsplainingIAMScanner.policy_document_cache = _NeverServed()


def _fresh_scan() -> None:
    """Forget the open UJA_ questions an earlier scan in this process left behind."""
    UNDECIDED.clear()


def _drain_undecided() -> dict[tuple[str, str], int]:
    found = {(check_id, address): line for check_id, address, line in UNDECIDED}
    UNDECIDED.clear()
    return found


def _decided_by(result: ScanResult, check_id: str, address: str) -> bool:
    return any(c == check_id and same_resource(address, a) for c, a in result.decided)


def unknowns(hcl: ScanResult, planned: ScanResult | None) -> list[Finding]:
    """UNKNOWN findings: checks no scan could decide. Without a plan, what the HCL scan left open;
    with one, what the plan left open that the HCL scan did not decide either (a resource absent
    from the plan does not exist in that environment, so HCL's open questions about it are moot)."""
    source, scanned = ("hcl", hcl) if planned is None else ("plan", planned)
    out = []
    for (check_id, address), line in sorted(scanned.undecided.items()):
        if planned is not None and _decided_by(hcl, check_id, address):
            continue
        rule = CATALOG[check_id]
        file, line = hcl.locations.get(address) or hcl.locations.get(_strip_keys(address)) or ("", line)
        fix = f"Make the value decidable at plan time (a literal, a known name), or plan this root. {rule.fix}"
        out.append(Finding(rule.id, rule.name, rule.severity, hcl.environment, source, address, file, line, fix, status="UNKNOWN"))
    return out


def known_wrong_on_plan(planned: ScanResult, hcl: ScanResult) -> ScanResult:
    """Drop plan findings of the built-in checks whose plan verdict is known to be wrong
    (config.yaml ``builtin_plan_exceptions``) where the HCL scan judged the same resource: its verdict stands."""
    wrong = config.load().builtin_plan_exceptions
    planned.findings = [f for f in planned.findings if f.rule_id not in wrong or not _decided_by(hcl, f.rule_id, f.resource)]
    return planned


def locate(planned: ScanResult, locations: dict[str, tuple[str, int]]) -> ScanResult:
    """Point plan findings at the HCL that declares the resource (the plan JSON's line otherwise)."""
    planned.findings = [
        replace(f, file=where[0], line=where[1]) if (where := locations.get(f.resource) or locations.get(_strip_keys(f.resource))) else f
        for f in planned.findings
    ]
    return planned


def plan_addresses(plan: Path) -> list[str]:
    return [change["address"] for change in json.loads(plan.read_text()).get("resource_changes", []) if change.get("mode") == "managed"]


def expand(hcl: ScanResult, addresses: list[str]) -> ScanResult:
    """One HCL finding per planned instance: HCL sees ``aws_x.this`` once for all its for_each keys,
    the plan names each (so a waiver for one instance does not hide the others)."""
    out = []
    for f in hcl.findings:
        instances = [a for a in addresses if same_resource(a, f.resource)] if f.source == "hcl" and "[" not in f.resource else []
        out += [replace(f, resource=a) for a in instances] or [f]
    hcl.findings = out
    return hcl


def skip_comments(tree: Path) -> list[Finding]:
    """Every inline checkov/bridgecrew skip comment under the tree: waivers belong in policies/waivers.yaml."""
    found = []
    for path in sorted(tree.rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if SKIP_COMMENT.search(line):
                rel = path.relative_to(tree).as_posix()
                found.append(
                    Finding(INLINE_SKIP.id, INLINE_SKIP.name, INLINE_SKIP.severity, None, "gate", rel, rel, number, INLINE_SKIP.fix)
                )
    return found


def _task(task: tuple[str, Path, config.EnvironmentRules | None]) -> ScanResult:
    kind, path, env = task
    return scan_hcl(path, env) if kind == "hcl" else scan_plan(path, env)


def scan(
    tree: Path,
    environments: list[config.EnvironmentRules | None],
    plans: dict[str, Path],
    workers: int | None = None,
    root_plans: dict[str, Path] | None = None,
) -> list[ScanResult]:
    """Scan every environment (None: the tree without a var-file) on HCL and on its plan, one result each,
    then each nested root (bootstrap/) on its own HCL without a var-file and on its plan
    (``root_plans``, keyed by the root's path), one result each.

    HCL and plan scans are separate tasks (longest first) so two cores stay busy until the end.
    """
    # A plan given for a tree without environments is keyed "".
    keyed = [(env, plans.get(env.name if env else "")) for env in environments]
    nested = [(n, (root_plans or {}).get(n)) for n in nested_roots(tree)]
    tasks = (
        [("hcl", tree, env) for env, _ in keyed]
        + [("hcl", tree / n, None) for n, _ in nested]
        + [("plan", plan, env) for env, plan in keyed if plan is not None]
        + [("plan", plan, None) for _, plan in nested if plan is not None]
    )
    workers = min(len(tasks), workers or os.cpu_count() or 1)
    if workers <= 1:
        done = [_task(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            done = list(pool.map(_task, tasks))
    hcl, roots, planned = done[: len(keyed)], done[len(keyed) : len(keyed) + len(nested)], iter(done[len(keyed) + len(nested) :])
    return [judge(h, plan, next(planned) if plan is not None else None) for h, (_, plan) in zip(hcl, keyed, strict=True)] + [
        rescope(judge(r, plan, next(planned) if plan is not None else None), n) for r, (n, plan) in zip(roots, nested, strict=True)
    ]


def judge(hcl: ScanResult, plan: Path | None, planned: ScanResult | None) -> ScanResult:
    """One unit's result: HCL findings (expanded to the plan's instances), plan findings located in
    the HCL, built-in plan verdicts known to be wrong replaced by HCL's, and UNKNOWN findings."""
    undecided = unknowns(hcl, planned)
    if plan is None or planned is None:
        hcl.findings += undecided
        return hcl
    planned = locate(known_wrong_on_plan(planned, hcl), hcl.locations)
    planned.findings += undecided
    return expand(hcl, plan_addresses(plan)).merge(planned)


def rescope(result: ScanResult, root: str) -> ScanResult:
    """A nested root's result, its files made relative to the scanned tree."""
    result.scope = root
    result.findings = [
        replace(f, scope=root, file=f"{root}/{f.file}" if f.file and not Path(f.file).is_absolute() else f.file) for f in result.findings
    ]
    return result


def same_resource(full: str, partial: str) -> bool:
    """Whether an HCL address (no instance keys, sometimes no module prefix) names the plan address ``full``."""
    full, partial = _strip_keys(full), _strip_keys(partial)
    return full == partial or full.endswith("." + partial)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Drop HCL findings the plan scan reports too (the plan's address carries the instance key)."""
    findings = list(dict.fromkeys(findings))
    planned = [f for f in findings if f.source == "plan"]
    kept = [
        f
        for f in findings
        if f.source != "hcl"
        or not any(p.rule_id == f.rule_id and p.environment == f.environment and same_resource(p.resource, f.resource) for p in planned)
    ]
    return sorted(kept, key=lambda f: (f.environment or "", f.rule_id, f.resource, f.source))


def apply_waivers(findings: list[Finding], accepted: list[waivers.Waiver]) -> tuple[list[Finding], set[int]]:
    """Mark findings a waiver accepts; return them and the indexes of the waivers used.

    A plan address must match exactly. An HCL finding without instance keys (scanned without a
    plan) stands for every instance, so it is waived, and uses every waiver, that names one of them.
    """
    used: set[int] = set()
    out = []
    for f in findings:
        matches = [
            w
            for w in accepted
            if w.id == f.rule_id
            and (f.environment is None or f.environment in w.environments)
            and (w.resource == f.resource or (f.source == "hcl" and "[" not in f.resource and same_resource(w.resource, f.resource)))
        ]
        if f.status != "FAILED":
            matches = []  # a waiver accepts a finding, never an undecided check
        exact = [w for w in matches if w.resource == f.resource]
        chosen = exact[:1] or matches
        used |= {w.index for w in chosen}
        out.append(replace(f, waiver=chosen[0].reason) if chosen else f)
    return out, used


def waiver_findings(problems: list[waivers.Problem], path: Path) -> list[Finding]:
    lines = waivers.entry_lines(path)
    shown = _display_path(path)
    return [
        Finding(p.rule.id, p.rule.name, p.rule.severity, None, "gate", f"waivers[{p.index}]", shown, lines.get(p.index, 1), p.message)
        for p in problems
    ]


def _display_path(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Outcome:
    """The gate's verdict: every finding (waived ones marked) and what was scanned."""

    tree: Path
    results: list[ScanResult]
    findings: list[Finding]

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.waiver is None and f.status == "FAILED"]

    @property
    def unknown(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "UNKNOWN"]

    @property
    def units(self) -> list[str | None]:
        """Environments and nested roots, in scan order (None: the tree without environments)."""
        return [r.unit for r in self.results]


def run(
    tree: Path,
    environments: list[config.EnvironmentRules | None],
    plans: dict[str, Path],
    today: dt.date,
    waivers_path: Path = waivers.WAIVERS_PATH,
    workers: int | None = None,
    report_unused: bool = True,
    root_plans: dict[str, Path] | None = None,
) -> Outcome:
    """Scan, then judge: dedupe HCL against plan findings, apply waivers, flag bad or unused waivers.

    ``report_unused``: whether the waivers file governs this tree (the repository's terraform/), so a
    waiver that matched nothing is stale; on any other tree it simply does not apply.
    """
    entries = waivers.load(waivers_path)
    names = {e.name for e in environments if e is not None}
    accepted, problems = waivers.validate(entries, today, set(config.load().environments))
    results = scan(tree, environments, plans, workers, root_plans)
    findings = dedupe([f for r in results for f in r.findings] + skip_comments(tree))
    findings, used = apply_waivers(findings, accepted)
    if report_unused:
        problems += waivers.unused(accepted, used, names)
    return Outcome(tree, results, findings + waiver_findings(problems, waivers_path))
