"""``python -m journey_guard.terraform.plans``: render (cached) and summarise a plan, or ``diff`` environments.

python -m journey_guard.terraform.plans dev [--tfvars F] [--var name=JSON] [--addresses]
python -m journey_guard.terraform.plans diff --write      # docs/environments.md (journey_guard.terraform.envdiff)
"""

from __future__ import annotations

import argparse
import json
import sys

import yaml

from journey_guard.terraform import envdiff, plans, toolchain


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        return envdiff.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m journey_guard.terraform.plans", description="Render (cached) and summarise a plan (or: diff ENV ENV...)."
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
        plan = plans.render(args.env, tfvars=args.tfvars, variables=variables)
    except (plans.PlanError, toolchain.ToolchainError) as exc:
        print(exc, file=sys.stderr)
        return 1
    summary = plan.by_type() if args.addresses else plan.counts()
    print(yaml.safe_dump(summary, sort_keys=True, default_flow_style=False), end="")
    print(f"# {len(plan.resources)} resources, key {plan.key[:12]} ({'cached' if plan.cached else 'rendered'})", file=sys.stderr)
    return 0
