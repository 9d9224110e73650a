"""Hermetic provider settings for any Terraform root, written as ``*_override.tf`` files into a copy.

Terraform merges override files into the blocks they name (``provider "aws"`` with the same alias,
the ``terraform`` block's backend), so a root needs no variables of ours to be planned offline or
applied against moto: the copy gets fake static credentials, every service endpoint on one URL (an
unreachable loopback port for a plan, a moto server for an apply), the ``skip_*`` flags and, for
plans, ``max_retries = 1``. A plan then makes no retry: an unreachable endpoint fails at once where
the provider would otherwise back off nine times (about 24 s for ``Kinesis/DescribeLimits``).
``max_retries = 0`` is not "no retries": the provider reads 0 as "use the default (25)".

Every ``provider "aws"`` block is found, in the root and in the local modules it calls (legacy
provider blocks in child modules included); aliased blocks get an override with their alias (an
override needs its base block). A root that uses aws without declaring a default block gets a plain
provider file instead. Real deployments never see any of this: only the helper's temporary copies do.

Imports only the standard library (the policy gate runs it in checkov's venv).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# Port 9 (discard) on loopback: nothing listens, so any AWS call fails at once instead of leaving.
UNREACHABLE = "http://127.0.0.1:9"
OVERRIDE_FILE = "journey_guard_override.tf"
PROVIDER_FILE = "journey_guard_provider.tf"
BACKEND_OVERRIDE = 'terraform {\n  backend "local" {}\n}\n'
GENERATED = (OVERRIDE_FILE, PROVIDER_FILE)
FAKE_CREDENTIALS = {"access_key": "testing", "secret_key": "testing"}
# Every credential source the provider could otherwise reach for.
NULLED = ("profile", "token", "shared_config_files", "shared_credentials_files")
# Blocks that would make the provider call STS before anything else; an empty role_arn means "no role"
# (hashicorp/terraform-provider-aws#39328).
ROLE_BLOCKS = ("assume_role", "assume_role_with_web_identity")
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.{1,2}/[^"]*)"', re.MULTILINE)
_USES_AWS = re.compile(r'^\s*(resource|data)\s+"aws_|^\s*provider\s+"?aws"?\s*\{|hashicorp/aws', re.MULTILINE)


@dataclass(frozen=True)
class ProviderBlock:
    """One ``provider "aws"`` block: the module directory it is in, its alias, the role blocks it has."""

    module_dir: Path
    alias: str | None
    role_blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """What the overrides say: one endpoint for every service, credentials, retries."""

    endpoint: str = UNREACHABLE
    access_key: str = FAKE_CREDENTIALS["access_key"]
    secret_key: str = FAKE_CREDENTIALS["secret_key"]
    max_retries: int | None = 1  # None keeps the provider's default (an apply against moto)
    region: str | None = None  # only for a default block the root does not have
    local_backend: bool = True  # False keeps the root's backend (an apply keeps its state in moto's S3)


# ---------------------------------------------------------------------------
# Finding provider blocks: a small HCL scanner (strings, heredocs and comments may hold braces)
# ---------------------------------------------------------------------------
_TOKEN = re.compile(
    r"(?P<comment>#[^\n]*|//[^\n]*|/\*.*?\*/)"
    r"|(?P<heredoc><<-?\s*(?P<tag>[A-Za-z_][A-Za-z0-9_]*)\n.*?\n\s*(?P=tag)\b)"
    r'|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<open>\{)|(?P<close>\})",
    re.DOTALL,
)


def _strip(text: str) -> str:
    """``text`` with comments, strings and heredocs blanked (same length, so offsets still match)."""

    def blank(m: re.Match[str]) -> str:
        if m.group("open") or m.group("close"):
            return m.group(0)
        keep = m.group(0)
        if m.group("string"):
            return '"' + re.sub(r"[^\n]", " ", keep[1:-1]) + '"'
        return re.sub(r"[^\n]", " ", keep)

    return _TOKEN.sub(blank, text)


def top_blocks(text: str) -> Iterator[tuple[str, str]]:
    """(header, body) of each top-level block of an HCL file."""
    clean = _strip(text)
    depth, start, header_start = 0, 0, 0
    for i, ch in enumerate(clean):
        if ch == "{":
            if depth == 0:
                start = i
                header_start = clean.rfind("\n", 0, i) + 1
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                yield text[header_start:start].strip(), text[start + 1 : i]


def _nested_top(body: str) -> tuple[str, set[str]]:
    """The body's own top-level lines (nested blocks removed) and the names of its nested blocks."""
    clean = _strip(body)
    names: set[str] = set()
    flat, depth = [], 0
    for i, ch in enumerate(clean):
        if ch == "{":
            if depth == 0:
                # The block's type; for `dynamic "assume_role"` the type it generates.
                line = body[clean.rfind("\n", 0, i) + 1 : i].strip()
                dynamic = re.fullmatch(r'dynamic\s+"([^"]+)"', line)
                names.add(dynamic.group(1) if dynamic else (line.split()[0] if line else ""))
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif depth == 0:
            flat.append(body[i])
    return "".join(flat), names


def _blocks_in_file(path: Path) -> Iterator[tuple[str | None, tuple[str, ...]]]:
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        provider = data.get("provider", {}) if isinstance(data, dict) else {}
        configs = provider.get("aws", []) if isinstance(provider, dict) else []
        for config in configs if isinstance(configs, list) else [configs]:
            yield config.get("alias"), tuple(b for b in ROLE_BLOCKS if b in config)
        return
    for header, body in top_blocks(path.read_text()):
        if re.fullmatch(r'provider\s+"?aws"?', header):
            own, nested = _nested_top(body)
            alias = re.search(r'(?m)^\s*alias\s*=\s*"([^"]+)"', own)
            yield (alias.group(1) if alias else None), tuple(b for b in ROLE_BLOCKS if b in nested)


def _tf_files(module_dir: Path) -> list[Path]:
    return sorted(p for p in [*module_dir.glob("*.tf"), *module_dir.glob("*.tf.json")] if p.name not in GENERATED)


def module_dirs(root: Path) -> list[Path]:
    """``root`` and every local module it calls, transitively (registry and git sources are not local)."""
    seen: list[Path] = []
    todo = [root.resolve()]
    while todo:
        current = todo.pop()
        if current in seen or not current.is_dir():
            continue
        seen.append(current)
        for path in _tf_files(current):
            if path.suffix == ".tf":
                todo += [(current / src).resolve() for src in _LOCAL_SOURCE.findall(path.read_text())]
    return seen


def provider_blocks(root: Path) -> list[ProviderBlock]:
    """Every ``provider "aws"`` block of ``root`` and its local modules."""
    found = []
    for module in module_dirs(root):
        for path in _tf_files(module):
            for alias, roles in _blocks_in_file(path):
                found.append(ProviderBlock(module, alias, roles))
    return found


def uses_aws(root: Path) -> bool:
    return any(_USES_AWS.search(p.read_text()) for m in module_dirs(root) for p in _tf_files(m) if p.suffix == ".tf")


# ---------------------------------------------------------------------------
# Writing the overrides
# ---------------------------------------------------------------------------
def _provider_hcl(block: ProviderBlock | None, settings: Settings, endpoints: Sequence[str]) -> str:
    lines = ['provider "aws" {']
    if block is not None and block.alias:
        lines.append(f'  alias = "{block.alias}"')
    if block is None and settings.region:
        lines.append(f'  region = "{settings.region}"')
    lines += [
        f'  access_key = "{settings.access_key}"',
        f'  secret_key = "{settings.secret_key}"',
        *(f"  {name} = null" for name in NULLED),
        "  skip_credentials_validation = true",
        "  skip_requesting_account_id  = true",
        "  skip_metadata_api_check     = true",
        "  skip_region_validation      = true",
        "  s3_use_path_style           = true",
    ]
    if settings.max_retries is not None:
        lines.append(f"  max_retries = {settings.max_retries}")
    for role in block.role_blocks if block is not None else ():
        lines.append(f'  {role} {{\n    role_arn = ""\n  }}')
    lines.append("  endpoints {")
    lines += [f'    {name} = "{settings.endpoint}"' for name in endpoints]
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def render_overrides(root: Path, settings: Settings, endpoints: Sequence[str]) -> dict[Path, str]:
    """File path -> content of every generated file for ``root`` (nothing is written)."""
    root = root.resolve()
    files: dict[Path, list[str]] = {root / OVERRIDE_FILE: [BACKEND_OVERRIDE] if settings.local_backend else []}
    blocks = provider_blocks(root)
    for block in blocks:
        files.setdefault(block.module_dir / OVERRIDE_FILE, []).append(_provider_hcl(block, settings, endpoints))
    out = {path: "".join(parts) for path, parts in files.items()}
    if uses_aws(root) and not any(b.module_dir == root and b.alias is None for b in blocks):
        # An override needs its base block; a root that relies on the implied default gets a real one.
        out[root / PROVIDER_FILE] = _provider_hcl(None, settings, endpoints)
    return out


def write_overrides(root: Path, settings: Settings, endpoints: Sequence[str]) -> list[Path]:
    """Write the overrides into ``root`` (a temporary copy: never a working tree).

    ``endpoints``: the provider's service names (``plans.provider_endpoints`` reads them from its schema).
    """
    files = render_overrides(root, settings, endpoints)
    for path, text in files.items():
        path.write_text(text)
    return sorted(files)


# ---------------------------------------------------------------------------
# The provider's service names, from its own schema
# ---------------------------------------------------------------------------
def endpoints_from_schema(schema: Mapping) -> list[str]:
    provider = schema["provider_schemas"][AWS_PROVIDER]["provider"]["block"]
    return sorted(provider["block_types"]["endpoints"]["block"]["attributes"])


def schema_endpoints(initialised: Path, terraform: str, env: Mapping[str, str]) -> list[str]:
    """The endpoint names in the installed provider's own schema."""
    proc = subprocess.run(
        [terraform, f"-chdir={initialised}", "providers", "schema", "-json"], capture_output=True, text=True, env=dict(env), check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"terraform providers schema failed in {initialised}:\n{proc.stderr.strip()}")
    return endpoints_from_schema(json.loads(proc.stdout))


def provider_version(initialised: Path) -> str | None:
    """The hashicorp/aws version ``init`` installed into ``initialised/.terraform``."""
    versions = sorted((initialised / ".terraform" / "providers" / AWS_PROVIDER).glob("*"))
    return versions[-1].name if versions else None


# Endpoint names of the provider versions this repository pins, so no render reads the 13 MB schema
# (4 s) for them; tests/plan/test_hermetic.py checks the file against the installed provider's schema.
KNOWN_ENDPOINTS = Path(__file__).with_name("aws_endpoints.json")


def endpoints_for(initialised: Path, terraform: str, env: Mapping[str, str], cache: Path) -> list[str]:
    """Every endpoint name the installed provider accepts: known for pinned versions, else read from
    ``providers schema -json`` once per version and cached."""
    version = provider_version(initialised)
    known = json.loads(KNOWN_ENDPOINTS.read_text())
    if version in known:
        return known[version]
    cached = cache / f"endpoints-{version}.json"
    if version and cached.is_file():
        return json.loads(cached.read_text())
    names = schema_endpoints(initialised, terraform, env)
    if version:
        cached.write_text(json.dumps(names))
    return names


def main() -> int:
    """Add the installed provider's endpoint names to ``aws_endpoints.json`` (after a provider upgrade)."""
    from journey_guard.paths import TERRAFORM_DIR
    from journey_guard.terraform import plans, toolchain  # plans imports this module: only here, not at the top

    template = plans.initialised_template(TERRAFORM_DIR)
    version = provider_version(template)
    known = json.loads(KNOWN_ENDPOINTS.read_text())
    known[str(version)] = schema_endpoints(template, toolchain.ensure().terraform, plans.plan_env())
    KNOWN_ENDPOINTS.write_text(json.dumps(known, indent=0, sort_keys=True) + "\n")
    print(f"{KNOWN_ENDPOINTS}: hashicorp/aws {version}, {len(known[str(version)])} endpoint names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
