"""``python -m policies check [DIR] ...`` and ``python -m policies list [--format text|markdown|json]``.

Exit 0 when clean, 1 when any policy fails (waiver problems and inline skips included; with ``--strict``
also when a check could not decide: UNKNOWN), 2 on usage or tool errors. A tree with ``environments/<env>.tfvars`` is scanned per environment, on HCL with
that var-file and on that environment's plan; any other tree is a set of roots (``policies.roots``),
each scanned on HCL and on its hermetic plan with the ``--var-file`` files given.

Only the standard library is imported at module load: ``--help`` and ``list`` answer in a bare
Python; checkov, PyYAML and Terraform are loaded only to scan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from pathlib import Path

from policies.catalog import SEVERITIES

USAGE, FINDINGS, CLEAN = 2, 1, 0
FORMATS = ("cli", "sarif", "junit", "markdown", "json", "github")
LIST_FORMATS = ("text", "markdown", "json")
DEFAULT_TREE = Path(__file__).resolve().parent.parent / "terraform"


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m policies", description="The pre-merge policy gate (checkov + UJA_ policies).")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser(
        "check",
        help="scan a Terraform directory: per environment, or each root it holds, on HCL and on plans",
        description="Scan DIR on HCL and on hermetic plans. Exit 0 clean, 1 findings, 2 usage or tool error.",
    )
    check.add_argument("tree", nargs="?", type=Path, default=DEFAULT_TREE, metavar="DIR", help="Terraform directory (default: terraform/)")
    check.add_argument(
        "--env", default="all", help="an environment of the policy config or all (trees with environments/<env>.tfvars; default: all)"
    )
    check.add_argument("--plan", type=Path, help="plan JSON (terraform show -json) of the one --env selected, instead of rendering it")
    check.add_argument("--no-plans", action="store_true", help="HCL only: skip the plan scans (fast; what the pre-commit hook runs)")
    check.add_argument("--strict", action="store_true", help="fail (exit 1) when a check could not decide (UNKNOWN), too")
    check.add_argument(
        "--var-file", action="append", type=Path, default=[], metavar="FILE", help="tfvars for the roots' HCL and plan scans (repeatable)"
    )
    check.add_argument("--config", type=Path, metavar="FILE", help="policy config (default: policies/config.yaml)")
    check.add_argument("--waivers", type=Path, metavar="FILE", help="waivers file (default: policies/waivers.yaml)")
    check.add_argument(
        "--check", action="append", metavar="IDS", help="only these policies (comma-separated ids, wildcards allowed: UJA_IAM_*)"
    )
    check.add_argument("--skip-check", action="append", metavar="IDS", help="not these policies (comma-separated ids, wildcards allowed)")
    check.add_argument(
        "--severity-threshold", type=str.upper, choices=SEVERITIES, help="findings below this severity are reported, not failing"
    )
    check.add_argument("--soft-fail", action="store_true", help="report findings but exit 0 (usage and tool errors still exit 2)")
    check.add_argument("--write-waivers", type=Path, metavar="FILE", help="write today's failing findings to FILE as waivers, exit 0")
    check.add_argument("--owner", help="owner of the waivers --write-waivers writes (required with it)")
    check.add_argument(
        "--expires", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="expiry of the written waivers (default: today + 90 days)"
    )
    check.add_argument("--format", default="cli", help=f"comma-separated, from {', '.join(FORMATS)}")
    check.add_argument("--output-dir", type=Path, help="where sarif/junit/markdown/json reports go (default: printed)")
    check.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)  # tests inject the date
    listing = sub.add_parser("list", help="print every UJA_ policy: id, severity, what it requires, why, how to fix")
    listing.add_argument("--format", default="text", choices=LIST_FORMATS, help="markdown: the text of docs/policies.md")
    return parser


def _formats(raw: str) -> list[str]:
    formats = [f.strip() for f in raw.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        raise UsageError(f"--format: unknown {unknown or raw!r}; choose from {', '.join(FORMATS)}")
    return formats


def _environments(tree: Path, selected: str, cfg):  # type: ignore[no-untyped-def]  (config is imported lazily)
    from journey_guard.terraform import environments

    # An environment of the tree (tfvars and backend file) without thresholds would go unscanned: refuse.
    try:
        unconfigured = [name for name in environments.names(tree) if name not in cfg.environments]
    except environments.UnknownEnvironment as exc:
        raise UsageError(str(exc)) from exc
    if unconfigured:
        raise UsageError(f"{tree}/environments: no thresholds for {', '.join(unconfigured)} in the policy config (environments.<name>)")
    available = [rules for name, rules in cfg.environments.items() if (tree / rules.var_file).is_file()]
    if selected == "all":
        return available or [None]
    if selected not in cfg.environments:
        raise UsageError(f"--env {selected!r}: choose from {', '.join([*cfg.environments, 'all'])}")
    rules = cfg.environments[selected]
    if rules not in available:
        raise UsageError(f"--env {selected}: {tree / rules.var_file} does not exist")
    return [rules]


def _check_args(args: argparse.Namespace) -> None:
    tree = args.tree
    if not tree.is_dir():
        raise UsageError(f"{tree} is not a directory")
    if not any(tree.rglob("*.tf")):
        raise UsageError(f"{tree} holds no .tf files")
    for flag, path in [("--config", args.config), *(("--var-file", v) for v in args.var_file)]:
        if path is not None and not path.is_file():
            raise UsageError(f"{flag} {path}: no such file")
    if args.waivers is not None and not args.waivers.is_file() and args.write_waivers != args.waivers:
        raise UsageError(f"--waivers {args.waivers}: no such file")
    if args.write_waivers is not None and not (args.owner or "").strip():
        raise UsageError("--write-waivers needs --owner NAME (every waiver names who owns the risk)")
    if (args.owner or args.expires) and args.write_waivers is None:
        raise UsageError("--owner and --expires only apply with --write-waivers FILE")


def _scan(args: argparse.Namespace, today: dt.date):  # type: ignore[no-untyped-def]
    """The gate's outcome for ``args.tree``: per environment, or per root for any other tree."""
    import tempfile

    from journey_guard.paths import TERRAFORM_DIR
    from policies import config, gate, roots, waivers
    from policies.plans import render, render_roots

    tree = args.tree.resolve()
    if args.config is not None:
        config.use(args.config)
    cfg = config.load()
    waivers_path = (args.waivers or args.write_waivers or waivers.WAIVERS_PATH).resolve()
    environments = _environments(tree, args.env, cfg)
    names = [e.name for e in environments if e is not None]
    if args.plan is not None and len(names) > 1:
        raise UsageError("--plan needs one --env (the environment the plan was rendered for)")
    if args.plan is not None and not args.plan.is_file():
        raise UsageError(f"--plan {args.plan}: no such file")
    if not names and args.plan is not None and roots.discover(tree) != [tree]:
        raise UsageError(f"--plan: {args.tree} is not one root (it holds {len(roots.discover(tree))}); give the root the plan is of")
    if not names:
        return roots.run(tree, args.var_file, not args.no_plans, today, waivers_path, given_plan=args.plan)
    if args.var_file:
        raise UsageError(f"--var-file: {args.tree} is scanned per environment (environments/<env>.tfvars); pass a root without them")
    with tempfile.TemporaryDirectory(prefix="uja-policy-") as tmp:
        if args.plan is not None:
            plans = {names[0]: args.plan.resolve()}
        elif args.no_plans:
            plans = {}
        else:
            plans = render(tree, names, cfg.plan_tfvars, Path(tmp))
        # Nested roots (the bootstrap) are planned too, so what HCL cannot decide there is decided.
        nested = {} if args.no_plans else render_roots(tree, gate.nested_roots(tree), cfg.plan_tfvars, Path(tmp))
        report_unused = tree == TERRAFORM_DIR.resolve() and bool(plans) and waivers_path == waivers.WAIVERS_PATH
        return gate.run(tree, environments, plans, today, waivers_path, report_unused=report_unused, root_plans=nested)


def check(args: argparse.Namespace) -> int:
    from policies import adoption, config, waivers
    from policies.plans import PlanUnavailable

    today = args.today or dt.date.today()
    try:
        _check_args(args)
        formats = _formats(args.format)
        selection = adoption.Selection(adoption.patterns(args.check), adoption.patterns(args.skip_check), args.severity_threshold)
        outcome = _scan(args, today)
        entries = waivers.load(Path(args.waivers or args.write_waivers or waivers.WAIVERS_PATH))
        outcome = adoption.select(outcome, selection, entries)
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
    from policies import reports

    reports.write(outcome, formats, args.output_dir)
    if args.write_waivers is not None:
        expires = args.expires or today + dt.timedelta(days=adoption.DEFAULT_EXPIRY_DAYS)
        written = adoption.write_waivers(
            args.write_waivers, adoption.waiver_entries(outcome, args.owner.strip(), expires, today, sorted(config.load().environments))
        )
        print(f"policies: wrote {written} waiver(s) to {args.write_waivers} (owner {args.owner.strip()}, expires {expires.isoformat()})")
        return CLEAN
    if outcome.failing and args.soft_fail:
        print(f"policies: --soft-fail: {len(outcome.failing)} finding(s) reported, exit 0", file=sys.stderr)
        return CLEAN
    if args.strict and outcome.unknown:
        print(f"policies: --strict: {len(outcome.unknown)} check(s) could not decide (UNKNOWN)", file=sys.stderr)
        return FINDINGS
    return FINDINGS if outcome.failing else CLEAN


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        from policies import listing

        print(listing.render(args.format), end="")
        return CLEAN
    return check(args)
