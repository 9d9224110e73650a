"""Plans for the gate: the plan tests' helper renders and caches them (``journey_guard.plans``).

The gate asks for exactly what the plan tests ask for (the environment's tfvars plus the hermetic
test tfvars named in ``policies/config.yaml``), so both share one cache entry per environment and
nothing is rendered twice.
"""

from __future__ import annotations

import json
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
