"""Plans for the gate: the plan tests' helper renders and caches them (``journey_guard.plans``).

The gate asks for exactly what the plan tests ask for (the environment's tfvars plus the hermetic
test tfvars named in ``policies/config.yaml``), so both share one cache entry per environment and
nothing is rendered twice.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from journey_guard import plans, toolchain
from journey_guard.paths import REPO


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
        path.write_text(json.dumps(plan.json))
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
        path.write_text(json.dumps(plan.json))
        return root, path

    with ThreadPoolExecutor(max_workers=max(1, len(roots))) as pool:
        return {root: path for root, path in pool.map(one, roots) if path is not None}
