"""The gate's reports: console text, SARIF 2.1.0 (code scanning), JUnit XML, a Markdown PR summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from policies.base import CATALOG
from policies.gate import Finding, Outcome

FORMATS = ("cli", "sarif", "junit", "markdown")
FILE_NAMES = {"sarif": "policy.sarif", "junit": "policy-junit.xml", "markdown": "policy-summary.md"}
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


def cli(outcome: Outcome) -> str:
    lines = []
    for env in outcome.units:
        mine = [f for f in outcome.findings if f.unit == env]
        result = next(r for r in outcome.results if r.unit == env)
        failed = len([f for f in mine if f.waiver is None and f.status == "FAILED"])
        unknown = len([f for f in mine if f.status == "UNKNOWN"])
        lines.append(
            f"== {_env(env)}: {len(result.checks)} checks, {result.passed} passed, {failed} failed, {len([f for f in mine if f.waiver])} waived, {unknown} unknown"
        )
        for f in mine:
            state = f"WAIVED ({f.waiver})" if f.waiver else f.status
            lines.append(
                f"  {state} {f.rule_id} [{f.severity}] {f.resource} ({f.source}) at {_where(outcome, f)}\n      {f.name}\n      fix: {f.fix}"
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
    for result in outcome.results:
        mine, undecided = defaultdict(list), defaultdict(list)
        for f in outcome.findings:
            if f.unit == result.unit and f.waiver is None:
                (undecided if f.status == "UNKNOWN" else mine)[f.rule_id].append(f)
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
    gate = [f for f in outcome.findings if f.source == "gate" and f.unit is None and f.waiver is None]
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
    out = [f"## Policy gate {verdict}", ""]
    groups: list[tuple[str, list[Finding]]] = [(_env(e), [f for f in outcome.findings if f.unit == e]) for e in outcome.units]
    if None not in outcome.units:
        groups.append(("gate", [f for f in outcome.findings if f.unit is None]))
    for title, mine in groups:
        failing = [f for f in mine if f.waiver is None and f.status == "FAILED"]
        unknown = [f for f in mine if f.status == "UNKNOWN"]
        out.append(f"### {title}: {len(failing)} failing, {len([f for f in mine if f.waiver])} waived, {len(unknown)} unknown")
        if not mine:
            out += ["", "No findings.", ""]
            continue
        out += ["", "| policy | severity | resource | file:line | how to fix |", "|---|---|---|---|---|"]
        for f in mine:
            policy = (
                ("UNKNOWN: " if f.status == "UNKNOWN" else "") + f"{f.rule_id} {f.name}" + (f" (waived: {f.waiver})" if f.waiver else "")
            )
            out.append(f"| {_cell(policy)} | {f.severity} | `{_cell(f.resource)}` | `{_where(outcome, f)}` | {_cell(f.fix)} |")
        out.append("")
    return "\n".join(out)


RENDERERS = {"cli": cli, "sarif": sarif, "junit": junit, "markdown": markdown}


def write(outcome: Outcome, formats: list[str], out_dir: Path | None) -> dict[str, Path]:
    """Print ``cli``; write the other formats into ``out_dir`` (or print them when it is None)."""
    written = {}
    for fmt in formats:
        text = RENDERERS[fmt](outcome)
        if fmt == "cli" or out_dir is None:
            print(text, end="")
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / FILE_NAMES[fmt]
        path.write_text(text)
        written[fmt] = path
    return written
