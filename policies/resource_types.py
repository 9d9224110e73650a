"""Which resource types of the aws provider can carry a resource-based policy, and who judges each.

``resource_policies.yaml`` holds the list derived from ``terraform providers schema -json`` of the
locked provider (every string attribute that can hold a policy document, and every flat
``principal`` permission), each type either covered (the attribute the who-can-act checks read) or
excluded with a reason. ``python -m policies.resource_types --write`` regenerates the derived list
from an initialised copy of ``terraform/``; a test compares it whenever Terraform is available.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_PATH = Path(__file__).resolve().parent / "resource_policies.yaml"
PROVIDER = "registry.terraform.io/hashicorp/aws"
# Attribute names with "polic" in them that name, not hold, a policy (ids, ARNs, TLS policy names...).
NOT_A_DOCUMENT = re.compile(r"(_arn|_id|_name|_type|_version|_revision|_scope|_runtime|_region|_update_token|_update_behavior)$")


@dataclass(frozen=True)
class Coverage:
    derived: dict[str, list[str]]  # type -> policy-bearing attributes (dotted for nested blocks)
    covered: dict[str, str]  # type -> the attribute holding its resource-based policy document
    permissions: tuple[str, ...]  # flat principal permissions judged by UJA_EXP_003
    excluded: dict[str, str]  # type -> reason


def _attributes(block: dict[str, Any], prefix: str = "") -> list[str]:
    found = [
        prefix + name
        for name, attr in block.get("attributes", {}).items()
        if attr.get("type") == "string" and "polic" in name and not NOT_A_DOCUMENT.search(name)
    ]
    for name, nested in block.get("block_types", {}).items():
        found += _attributes(nested["block"], f"{prefix}{name}.")
    return found


def derive(schema: dict[str, Any]) -> dict[str, list[str]]:
    """Type -> attributes that can hold a policy (plus ``principal`` for flat permissions), from the schema JSON."""
    resources = schema["provider_schemas"][PROVIDER]["resource_schemas"]
    out = {}
    for rtype, body in sorted(resources.items()):
        found = _attributes(body["block"]) + (["principal"] if "principal" in body["block"].get("attributes", {}) else [])
        if found:
            out[rtype] = sorted(found)
    return out


def provider_schema(tree: Path) -> dict[str, Any]:
    """``terraform providers schema -json`` in the plan helper's initialised copy of ``tree``."""
    from journey_guard.terraform import plans, tf

    return json.loads(tf.run(plans.initialised_template(tree), "providers", "schema", "-json", env=plans.plan_env()).stdout)


def parse(raw: Any, path: Path) -> Coverage:
    if not isinstance(raw, dict) or not {"derived", "covered", "permissions", "excluded"} <= raw.keys():
        raise ValueError(f"{path}: needs derived, covered, permissions and excluded")
    excluded: dict[str, str] = {}
    for i, group in enumerate(raw["excluded"]):
        if not isinstance(group, dict) or not str(group.get("reason", "")).strip() or not isinstance(group.get("types"), list):
            raise ValueError(f"{path}: excluded[{i}] needs a reason and a list of types")
        excluded |= dict.fromkeys(group["types"], group["reason"])
    return Coverage(raw["derived"], raw["covered"], tuple(raw["permissions"]), excluded)


@cache
def load(path: Path = DATA_PATH) -> Coverage:
    return parse(yaml.safe_load(path.read_text()), path)


def write_derived(derived: dict[str, list[str]], path: Path = DATA_PATH) -> None:
    """Replace the ``derived:`` section of the data file, keeping the hand-written rest."""
    text = path.read_text()
    head, rest = text.split("derived:\n", 1)
    tail = rest[rest.index("\ncovered:") :]
    body = "".join(f"  {t}: [{', '.join(a)}]\n" for t, a in derived.items())
    path.write_text(f"{head}derived:\n{body.rstrip()}{tail}")


def main(argv: list[str] | None = None) -> int:
    from journey_guard.paths import TERRAFORM_DIR

    parser = argparse.ArgumentParser(prog="python -m policies.resource_types", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite the derived list in {DATA_PATH.name}")
    args = parser.parse_args(argv)
    derived = derive(provider_schema(TERRAFORM_DIR))
    if args.write:
        write_derived(derived)
    print(json.dumps(derived, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
