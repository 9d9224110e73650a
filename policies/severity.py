"""Severities of checkov's built-in checks: checkov's own when it has one, else by check category.

Without a Bridgecrew/Prisma API key checkov reports no severity, so every built-in finding would be
MEDIUM and ``--severity-threshold`` could not tell them apart. The gate maps the check's category
(checkov's own classification, present offline) to a severity instead; ``python -m policies list
--format markdown`` prints this table into docs/policies.md.
"""

from __future__ import annotations

import functools

CATEGORY_SEVERITY = {
    "SECRETS": "CRITICAL",
    "IAM": "HIGH",
    "ENCRYPTION": "HIGH",
    "NETWORKING": "HIGH",
    "APPLICATION_SECURITY": "HIGH",
    "GENERAL_SECURITY": "MEDIUM",
    "BACKUP_AND_RECOVERY": "MEDIUM",
    "SUPPLY_CHAIN": "MEDIUM",
    "KUBERNETES": "MEDIUM",
    "AI_AND_ML": "MEDIUM",
    "LOGGING": "LOW",
    "CONVENTION": "LOW",
}
DEFAULT = "MEDIUM"  # a check checkov does not categorise


@functools.cache
def _categories() -> dict[str, str]:
    """Built-in check id -> its first category, from checkov's Terraform registries (imported here only)."""
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.data.registry import data_registry
    from checkov.terraform.checks.module.registry import module_registry
    from checkov.terraform.checks.provider.registry import provider_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    found: dict[str, str] = {}
    for registry in (resource_registry, data_registry, provider_registry, module_registry):
        for checks in registry.checks.values():
            for check in checks:
                if check.categories:
                    found.setdefault(check.id, check.categories[0].name)
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    for check in graph.checks:
        if check.category:
            found.setdefault(check.id, str(check.category))
    return found


def builtin(check_id: str, reported: str | None = None) -> str:
    """The severity of a built-in finding: checkov's (``reported``, with an API key), else its category's."""
    if reported in CATEGORY_SEVERITY.values():
        return reported  # type: ignore[return-value]
    return CATEGORY_SEVERITY.get(_categories().get(check_id, ""), DEFAULT)
