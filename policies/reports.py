"""The gate's reports: console text, SARIF 2.1.0 (code scanning), JUnit XML, a Markdown PR summary,
JSON for machines (schema in policies/README.md) and GitHub workflow-command annotations."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from journey_guard.paths import REPO
from policies.catalog import CATALOG, SEVERITIES
from policies.gate import Finding, Outcome

FILE_NAMES = {"sarif": "policy.sarif", "junit": "policy-junit.xml", "markdown": "policy-summary.md", "json": "policy.json"}
JSON_SCHEMA = "journey-guard/policy-report"
JSON_VERSION = 1
# GitHub shows at most 10 error and 10 warning annotations per step (50 per job); the rest go to the job summary.
GITHUB_ANNOTATIONS = 10
DOCS_PATH = "docs/policies.md"
BUILTIN_ANCHOR = "built-in-checkov-checks"
SARIF_LEVEL = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
# GitHub code scanning ranks security results by this property (0.1-10).
SECURITY_SEVERITY = {"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "3.0"}


def _env(name: str | None) -> str:
    return name or "no environment"


def source_path(outcome: Outcome, finding: Finding) -> str:
    """The finding's file relative to the working directory (the repository root in CI)."""
    if finding.source == "gate" and finding.rule_id.startswith("UJA_WAIVER"):
        return finding.file
    path = (outcome.tree / finding.file).resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _where(outcome: Outcome, f: Finding) -> str:
    return f"{source_path(outcome, f)}:{max(f.line, 1)}"


def blocking(outcome: Outcome) -> set[Finding]:
    return set(outcome.failing)


def state(f: Finding, failing: set[Finding]) -> str:
    """WAIVED, FAILED, REPORTED (below --severity-threshold) or the finding's own status (e.g. UNKNOWN)."""
    if f.waiver:
        return "WAIVED"
    status = getattr(f, "status", "FAILED")
    if status != "FAILED":
        return status
    return "FAILED" if f in failing else "REPORTED"


def docs_url() -> str:
    """Where docs/policies.md is published: ``POLICY_DOCS_URL``, the commit on GitHub in Actions, else the file."""
    explicit = os.environ.get("POLICY_DOCS_URL")
    if explicit:
        return explicit
    server, repository, sha = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repository and sha:
        return f"{server}/{repository}/blob/{sha}/{DOCS_PATH}"
    return (REPO / DOCS_PATH).as_uri()


def help_uri(rule_id: str) -> str:
    """An absolute link to the rule's section of docs/policies.md (built-in checks: the severity mapping)."""
    anchor = rule_id.lower() if rule_id in CATALOG else BUILTIN_ANCHOR
    return f"{docs_url()}#{anchor}"


def cli(outcome: Outcome) -> str:
    lines = []
    failing = blocking(outcome)
    for env in outcome.units:
        mine = [f for f in outcome.findings if f.unit == env]
        result = next(r for r in outcome.results if r.unit == env)
        reported = [f for f in mine if state(f, failing) == "REPORTED"]
        unknown = [f for f in mine if state(f, failing) == "UNKNOWN"]
        lines.append(
            f"== {_env(env)}: {len(result.checks)} checks, {result.passed} passed, {len([f for f in mine if f in failing])} failed, {len([f for f in mine if f.waiver])} waived, {len(unknown)} unknown"
            + (f", {len(reported)} reported" if reported else "")
        )
        lines += [f"  note: {note}" for note in getattr(result, "notes", [])]
        for f in mine:
            shown = f"WAIVED ({f.waiver})" if f.waiver else state(f, failing)
            lines.append(
                f"  {shown} {f.rule_id} [{f.severity}] {f.resource} ({f.source}) at {_where(outcome, f)}\n      {f.name}\n      fix: {f.fix}"
            )
    gate = [f for f in outcome.findings if f.unit is None and None not in outcome.units]
    if gate:
        lines.append("== gate (all environments)")
        lines += [f"  FAILED {f.rule_id} {f.resource} at {_where(outcome, f)}\n      {f.fix}" for f in gate]
    verdict = "FAILED" if outcome.failing else "PASSED"
    lines.append(
        f"policy gate {verdict}: {len(outcome.failing)} finding(s), {len(outcome.unknown)} unknown across {', '.join(_env(e) for e in outcome.units)}"
    )
    return "\n".join(lines) + "\n"


def sarif(outcome: Outcome) -> str:
    used = sorted({f.rule_id for f in outcome.findings})
    rules = []
    for rule_id in used:
        sample = next(f for f in outcome.findings if f.rule_id == rule_id)
        rule = CATALOG.get(rule_id)
        rules.append(
            {
                "id": rule_id,
                "name": rule_id,
                "shortDescription": {"text": sample.name},
                "fullDescription": {"text": rule.rationale if rule and rule.rationale else sample.name},
                "helpUri": help_uri(rule_id),
                "help": {"text": sample.fix, "markdown": f"**How to fix:** {sample.fix}"},
                "defaultConfiguration": {"level": SARIF_LEVEL[sample.severity]},
                "properties": {"security-severity": SECURITY_SEVERITY[sample.severity], "tags": ["security", "terraform"]},
            }
        )
    results = []
    for f in outcome.findings:
        undecided = f.status == "UNKNOWN"
        result = {
            "ruleId": f.rule_id,
            "ruleIndex": used.index(f.rule_id),
            # SARIF: a result that is not a failure has kind "review" (needs a person) and level "none".
            "kind": "review" if undecided else "fail",
            "level": "none" if undecided else SARIF_LEVEL[f.severity],
            "message": {"text": f"{'UNKNOWN: ' if undecided else ''}{f.name}: {f.resource} ({_env(f.unit)}, {f.source})"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": source_path(outcome, f)},
                        "region": {"startLine": max(f.line, 1)},
                    },
                    "logicalLocations": [{"fullyQualifiedName": f.resource, "kind": "resource"}],
                }
            ],
            # Code scanning tracks a result across pushes by these, not by line.
            "partialFingerprints": {"ujaFinding/v1": f"{f.rule_id}|{_env(f.unit)}|{f.resource}" + ("|unknown" if undecided else "")},
        }
        if f.waiver:
            result["suppressions"] = [{"kind": "external", "justification": f.waiver}]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "journey-guard policy gate", "informationUri": "https://www.checkov.io/", "rules": rules}},
                "automationDetails": {"id": f"policy/{'+'.join(_env(e) for e in outcome.units)}"},
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def junit(outcome: Outcome) -> str:
    suites = ET.Element("testsuites", name="policy gate")
    failing = blocking(outcome)
    for result in outcome.results:
        mine, undecided = defaultdict(list), defaultdict(list)
        for f in outcome.findings:
            if f.unit == result.unit and f in failing:
                mine[f.rule_id].append(f)
            elif f.unit == result.unit and state(f, failing) == "UNKNOWN":
                undecided[f.rule_id].append(f)
        checks = {**result.checks, **{i: found[0].name for i, found in undecided.items()}}
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"policy.{_env(result.unit)}",
            tests=str(len(checks)),
            failures=str(len(mine)),
            errors=str(len(set(undecided) - set(mine))),
        )
        for check_id, name in sorted(checks.items()):
            case = ET.SubElement(suite, "testcase", classname=f"policy.{_env(result.unit)}", name=f"{check_id}: {name}")
            if check_id in mine:
                found = mine[check_id]
                failure = ET.SubElement(case, "failure", message=f"{len(found)} resource(s) fail {check_id}", type=found[0].severity)
                failure.text = "\n".join(f"{f.resource} at {_where(outcome, f)} ({f.source}); fix: {f.fix}" for f in found)
            elif check_id in undecided:
                found = undecided[check_id]
                error = ET.SubElement(case, "error", message=f"{len(found)} resource(s) UNKNOWN for {check_id}", type="UNKNOWN")
                error.text = "\n".join(f"{f.resource} at {_where(outcome, f)} ({f.source}): not decidable" for f in found)
    gate = [f for f in outcome.findings if f.source == "gate" and f.unit is None and f in failing]
    suite = ET.SubElement(suites, "testsuite", name="policy.gate", tests="1", failures=str(int(bool(gate))))
    case = ET.SubElement(suite, "testcase", classname="policy.gate", name="waivers and inline skips")
    if gate:
        failure = ET.SubElement(case, "failure", message=f"{len(gate)} gate finding(s)")
        failure.text = "\n".join(f"{f.rule_id} {f.resource} at {_where(outcome, f)}: {f.fix}" for f in gate)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(outcome: Outcome) -> str:
    verdict = "failed" if outcome.failing else "passed"
    failing = blocking(outcome)
    out = [f"## Policy gate {verdict}", ""]
    groups: list[tuple[str, list[Finding]]] = [(_env(e), [f for f in outcome.findings if f.unit == e]) for e in outcome.units]
    if None not in outcome.units:
        groups.append(("gate", [f for f in outcome.findings if f.unit is None]))
    for title, mine in groups:
        waived = [f for f in mine if f.waiver]
        unknown = [f for f in mine if state(f, failing) == "UNKNOWN"]
        out.append(f"### {title}: {len([f for f in mine if f in failing])} failing, {len(waived)} waived, {len(unknown)} unknown")
        if not mine:
            out += ["", "No findings.", ""]
            continue
        out += ["", "| policy | severity | resource | file:line | how to fix |", "|---|---|---|---|---|"]
        for f in mine:
            policy = f"{f.rule_id} {f.name}" + (f" (waived: {f.waiver})" if f.waiver else "" if f in failing else f" ({state(f, failing)})")
            out.append(f"| {_cell(policy)} | {f.severity} | `{_cell(f.resource)}` | `{_where(outcome, f)}` | {_cell(f.fix)} |")
        out.append("")
    return "\n".join(out)


def as_json(outcome: Outcome) -> str:
    """The stable machine format (``schema``/``version``; documented in policies/README.md)."""
    failing = blocking(outcome)
    doc = {
        "schema": JSON_SCHEMA,
        "version": JSON_VERSION,
        "passed": not outcome.failing,
        "tree": outcome.tree.as_posix(),
        "units": [
            {"name": r.unit, "checks": len(r.checks), "passed": r.passed, "resources": r.resources, "notes": list(getattr(r, "notes", []))}
            for r in outcome.results
        ],
        "summary": {s: len([f for f in outcome.findings if state(f, failing) == s]) for s in ("FAILED", "UNKNOWN", "REPORTED", "WAIVED")},
        "findings": [
            {
                "id": f.rule_id,
                "name": f.name,
                "severity": f.severity,
                "status": state(f, failing),
                "blocking": f in failing,
                "unit": f.unit,
                "environment": f.environment,
                "source": f.source,
                "resource": f.resource,
                "file": source_path(outcome, f),
                "line": max(f.line, 1),
                "fix": f.fix,
                "waiver": f.waiver,
                "help_uri": help_uri(f.rule_id),
            }
            for f in outcome.findings
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def _escape(text: str, prop: bool = False) -> str:
    """Workflow-command escaping (``%``, CR, LF; in properties also ``:`` and ``,``)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github(outcome: Outcome) -> str:
    """``::error``/``::warning`` annotations for the first findings, every finding in the job summary.

    Failing findings come first (most severe first) as errors; reported and unknown ones are
    warnings; waived ones are only in the summary. The summary goes to ``$GITHUB_STEP_SUMMARY``
    when set (GitHub Actions), else it is printed after the annotations.
    """
    failing = blocking(outcome)
    shown = sorted((f for f in outcome.findings if not f.waiver), key=lambda f: (f not in failing, SEVERITIES.index(f.severity), f.rule_id))
    lines = []
    for f in shown[:GITHUB_ANNOTATIONS]:
        level = "error" if f in failing else "warning"
        props = f"file={_escape(source_path(outcome, f), True)},line={max(f.line, 1)},title={_escape(f'{f.rule_id} [{f.severity}] {state(f, failing)}', True)}"
        lines.append(f"::{level} {props}::{_escape(f'{f.name}: {f.resource} ({_env(f.unit)}, {f.source}). Fix: {f.fix}')}")
    rest = len(shown) - GITHUB_ANNOTATIONS
    summary = markdown(outcome)
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a") as handle:
            handle.write(summary + "\n")
    verdict = "FAILED" if outcome.failing else "PASSED"
    tail = f" ({rest} more in the job summary)" if rest > 0 else ""
    lines.append(f"policy gate {verdict}: {len(outcome.failing)} finding(s), {len(shown[:GITHUB_ANNOTATIONS])} annotated{tail}")
    return "\n".join(lines) + "\n" + ("" if target else "\n" + summary)


RENDERERS = {"cli": cli, "sarif": sarif, "junit": junit, "markdown": markdown, "json": as_json, "github": github}
FORMATS = tuple(RENDERERS)  # policies.cli.FORMATS names the same (it cannot import this module: checkov)


def write(outcome: Outcome, formats: list[str], out_dir: Path | None) -> dict[str, Path]:
    """Print ``cli``; write the other formats into ``out_dir`` (or print them when it is None)."""
    written = {}
    for fmt in formats:
        text = RENDERERS[fmt](outcome)
        if fmt in ("cli", "github") or out_dir is None:
            print(text, end="")
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / FILE_NAMES[fmt]
        path.write_text(text)
        written[fmt] = path
    return written
