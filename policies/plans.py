"""Plans for the gate: the plan tests' helper renders and caches them (``journey_guard.terraform.plans``).

The gate asks for exactly what the plan tests ask for (the environment's tfvars plus the hermetic
test tfvars named in ``policies/config.yaml``), so both share one cache entry per environment and
nothing is rendered twice.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from journey_guard.paths import REPO
from journey_guard.terraform import plans, toolchain

# checkov's marker of a value known only after apply (checkov.common.util.consts.TRUE_AFTER_UNKNOWN).
TRUE_AFTER_UNKNOWN = "true_after_unknown"


def _config_expressions(plan: Mapping[str, Any], address: str) -> Mapping[str, Any]:
    """The configuration expressions of the resource at ``address`` (instance keys dropped)."""
    _, block = plans.config_resource(plan.get("configuration", {}), address)
    return (block or {}).get("expressions", {})


def _only_variables(expression: Any) -> bool:
    refs = expression.get("references") if isinstance(expression, Mapping) else None
    return not refs or all(r.startswith(("var.", "local.")) for r in refs)


def _mark_nested(values: Any, unknown: Any, expressions: Any) -> None:
    for i, (value, marks) in enumerate(zip(values or [], unknown or [], strict=False)):
        if not (isinstance(value, dict) and isinstance(marks, dict)):
            continue
        conf = expressions[i] if isinstance(expressions, list) and i < len(expressions) else {}
        conf = conf if isinstance(conf, Mapping) else {}
        for key, mark in marks.items():
            if mark is True and value.get(key) is None and _only_variables(conf.get(key)):
                value[key] = TRUE_AFTER_UNKNOWN
            elif isinstance(mark, list):
                _mark_nested(value.get(key), mark, conf.get(key))


def mark_unknown_nested(plan: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``plan`` with nested values known only after apply marked the way checkov marks top-level ones.

    checkov names the configuration's reference for such a value, or marks it ``true_after_unknown``
    at a resource's top level only: a nested one that a module variable sets (modules/s3_bucket's
    ``rule.apply_server_side_encryption_by_default.kms_master_key_id``) would read as unset. Values
    checkov resolves itself (a reference to a resource) are left to it.
    """
    plan = copy.deepcopy(plan)  # the helper's cached plan is shared within the process
    unknown = {rc["address"]: rc.get("change", {}).get("after_unknown") for rc in plan.get("resource_changes", [])}
    for resource in plans.walk_resources(plan.get("planned_values", {}).get("root_module", {})):
        marks, values = unknown.get(resource["address"]), resource.get("values")
        if not (isinstance(marks, dict) and isinstance(values, dict)):
            continue
        expressions = _config_expressions(plan, resource["address"])
        for key, mark in marks.items():
            if isinstance(mark, list):
                _mark_nested(values.get(key), mark, expressions.get(key))
    return plan


class PlanUnavailable(RuntimeError):
    """A plan could not be rendered; the message carries Terraform's diagnostics."""


def render(tree: Path, environments: list[str], plan_tfvars: str, out_dir: Path) -> dict[str, Path]:
    """Render (or take from the cache) each environment's plan and write its JSON to ``out_dir``.

    Environments render in threads: the work is Terraform subprocesses, and the helper's per-key
    lock keeps a plan another process is rendering from being rendered twice.
    """
    tfvars = REPO / plan_tfvars
    out_dir.mkdir(parents=True, exist_ok=True)

    def one(env: str) -> Path:
        try:
            plan = plans.render(env, tfvars=[tfvars], tree=tree)
        except (plans.PlanError, toolchain.ToolchainError, OSError) as exc:
            raise PlanUnavailable(f"plan of {env} ({tree}) failed: {exc}") from exc
        path = out_dir / f"{env}.plan.json"
        path.write_text(json.dumps(mark_unknown_nested(plan.json)))
        return path

    with ThreadPoolExecutor(max_workers=max(1, len(environments))) as pool:
        return dict(zip(environments, pool.map(one, environments), strict=True))


def render_roots(tree: Path, roots: list[str], plan_tfvars: str, out_dir: Path) -> dict[str, Path]:
    """Plans of the nested roots (``bootstrap``) through the hermetic ``render_root``, with the hermetic
    tfvars (variables a root does not declare are only warnings). A root that cannot be planned is
    left out, so its undecidable checks show as UNKNOWN instead of failing the gate with a tool error."""
    tfvars = REPO / plan_tfvars
    out_dir.mkdir(parents=True, exist_ok=True)

    def one(root: str) -> tuple[str, Path | None]:
        try:
            plan = plans.render_root(tree / root, var_files=[tfvars])
        except (plans.PlanError, toolchain.ToolchainError, OSError) as exc:
            print(f"policies: {root}: no plan, HCL only ({str(exc).splitlines()[0]})", file=sys.stderr)
            return root, None
        path = out_dir / f"root-{root.replace('/', '-')}.plan.json"
        path.write_text(json.dumps(mark_unknown_nested(plan.json)))
        return root, path

    with ThreadPoolExecutor(max_workers=max(1, len(roots))) as pool:
        return {root: path for root, path in pool.map(one, roots) if path is not None}
