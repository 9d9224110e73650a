"""``python -m policies check [TERRAFORM_DIR] [--env dev|staging|prod|all] [--plan PLAN_JSON]
[--no-plans] [--strict] [--format cli,sarif,junit,markdown] [--output-dir DIR]`` and ``python -m policies list``.

Exit 0 when clean, 1 when any policy fails (waiver problems and inline skips included), 2 on usage
or tool errors. A tree with ``environments/<env>.tfvars`` is scanned per environment, on HCL with
that var-file and on that environment's plan; any other tree (``terraform/bootstrap``, a user's
directory) is scanned once on HCL, without a var-file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import traceback
from pathlib import Path

from journey_guard.paths import TERRAFORM_DIR
from policies import config, waivers
from policies.plans import PlanUnavailable, render, render_roots

USAGE, FINDINGS, CLEAN = 2, 1, 0


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m policies", description="The pre-merge policy gate (checkov + UJA_ policies).")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="scan a Terraform directory per environment, on HCL and on plans")
    check.add_argument("tree", nargs="?", type=Path, default=TERRAFORM_DIR, help="Terraform directory (default: terraform/)")
    check.add_argument("--env", default="all", help="dev, staging, prod or all (default: every environment the tree has)")
    check.add_argument("--plan", type=Path, help="plan JSON (terraform show -json) of the one --env selected, instead of rendering it")
    check.add_argument("--no-plans", action="store_true", help="HCL only: skip the plan scans")
    check.add_argument("--strict", action="store_true", help="fail (exit 1) when a check could not decide (UNKNOWN), too")
    check.add_argument("--format", default="cli", help=f"comma-separated, from {', '.join(('cli', 'sarif', 'junit', 'markdown'))}")
    check.add_argument("--output-dir", type=Path, help="where sarif/junit/markdown reports go (default: printed)")
    check.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)  # tests inject the date
    sub.add_parser("list", help="print every UJA_ policy: id, severity, what it requires, why")
    return parser


def _list() -> int:
    from policies import gate  # noqa: F401  (loads every check into the catalogue)
    from policies.base import CATALOG

    for rule in sorted(CATALOG.values(), key=lambda r: r.id):
        print(f"{rule.id}  {rule.severity:<8}  {rule.name}\n    why: {rule.rationale}\n    fix: {rule.fix}")
    return CLEAN


def _formats(raw: str) -> list[str]:
    from policies.reports import FORMATS

    formats = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        raise UsageError(f"--format: unknown {unknown or raw!r}; choose from {', '.join(FORMATS)}")
    return formats


def _environments(tree: Path, selected: str, cfg: config.PolicyConfig) -> list[config.EnvironmentRules | None]:
    available = [rules for name, rules in cfg.environments.items() if (tree / rules.var_file).is_file()]
    if selected == "all":
        return available or [None]
    if selected not in cfg.environments:
        raise UsageError(f"--env {selected!r}: choose from {', '.join([*cfg.environments, 'all'])}")
    rules = cfg.environments[selected]
    if rules not in available:
        raise UsageError(f"--env {selected}: {tree / rules.var_file} does not exist")
    return [rules]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        return _list()
    try:
        # Imported here so --help and usage errors answer without loading checkov.
        from policies import gate, reports

        tree = args.tree.resolve()
        if not tree.is_dir():
            raise UsageError(f"{args.tree} is not a directory")
        if not any(tree.rglob("*.tf")):
            raise UsageError(f"{args.tree} holds no .tf files")
        formats = _formats(args.format)
        cfg = config.load()
        environments = _environments(tree, args.env, cfg)
        names = [e.name for e in environments if e is not None]
        if args.plan is not None:
            if len(environments) != 1:
                raise UsageError("--plan needs one --env (the environment the plan was rendered for)")
            if not args.plan.is_file():
                raise UsageError(f"--plan {args.plan}: no such file")
        with tempfile.TemporaryDirectory(prefix="uja-policy-") as tmp:
            if args.plan is not None:
                plans = {names[0] if names else "": args.plan.resolve()}
            elif args.no_plans or not names:
                plans = {}
            else:
                plans = render(tree, names, cfg.plan_tfvars, Path(tmp))
            roots = {} if args.no_plans else render_roots(tree, gate.nested_roots(tree), cfg.plan_tfvars, Path(tmp))
            outcome = gate.run(
                tree,
                environments,
                plans,
                args.today or dt.date.today(),
                report_unused=tree == TERRAFORM_DIR.resolve() and bool(plans),
                root_plans=roots,
            )
    except UsageError as exc:
        print(f"policies: usage error: {exc}", file=sys.stderr)
        return USAGE
    except (config.ConfigError, waivers.WaiverFileError, PlanUnavailable, OSError) as exc:
        print(f"policies: error: {exc}", file=sys.stderr)
        return USAGE
    except Exception as exc:  # a checkov crash is a tool error (exit 2), never a silent pass or a policy finding
        traceback.print_exc()
        print(f"policies: tool error while scanning {args.tree}: {exc!r}", file=sys.stderr)
        return USAGE
    reports.write(outcome, formats, args.output_dir)
    return FINDINGS if outcome.failing or (args.strict and outcome.unknown) else CLEAN
