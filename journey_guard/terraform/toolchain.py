"""Find the Terraform CLI and a provider mirror, and write the CLI config every session uses.

Order of discovery for the mirror: ``UJA_PROVIDER_MIRROR``, the standard plugin directories
Terraform itself searches, then the places machine images usually carry one. A mirror is used
for the providers it holds (``filesystem_mirror``); everything else comes from the registry
(``direct``). With no mirror the public registry is used, as on a laptop or a hosted runner.

Run as ``python -m journey_guard.terraform.toolchain``: prints the environment to export (and writes it
to ``build/toolchain/toolchain.json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from journey_guard.paths import BUILD_DIR, cache_dir, write_if_changed

MIN_TERRAFORM = (1, 11)
PROVIDERS = ("registry.terraform.io/hashicorp/aws",)
# Terraform's own implied local mirror directories (CLI configuration docs), then image locations.
STANDARD_PLUGIN_DIRS = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)
IMAGE_LOCATIONS = ("/opt/tf-plugins", "/opt/terraform/plugins", "/opt/terraform-plugins", "/usr/local/lib/terraform/plugins")
IMAGE_SEARCH_ROOTS = ("/opt", "/usr/local/share", "/usr/local/lib")


class ToolchainError(RuntimeError):
    """A missing or unusable tool; the message says what to install."""


@dataclass(frozen=True)
class Toolchain:
    terraform: str
    terraform_version: str
    mirror: str | None
    mirrored_providers: tuple[str, ...]
    cli_config: str
    plugin_cache_dir: str

    def env(self) -> dict[str, str]:
        """Variables every Terraform-using session exports."""
        return {
            "TF_CLI_CONFIG_FILE": self.cli_config,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "UJA_TERRAFORM": self.terraform,
        }


def find_terraform() -> tuple[str, str]:
    path = os.environ.get("UJA_TERRAFORM") or shutil.which("terraform")
    if not path:
        raise ToolchainError(
            "terraform CLI not found on PATH: install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)"
        )
    out = subprocess.run([path, "version", "-json"], capture_output=True, text=True, check=False, env=_quiet_env())
    try:
        version = json.loads(out.stdout)["terraform_version"]
    except (ValueError, KeyError) as exc:
        raise ToolchainError(f"{path} did not report a version: {out.stderr.strip()[:200]}") from exc
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    if parts < MIN_TERRAFORM:
        raise ToolchainError(f"terraform {version} at {path} is too old: install Terraform >= 1.11")
    return path, version


def _quiet_env() -> dict[str, str]:
    # Terraform warns on a TF_CLI_CONFIG_FILE that does not exist yet; version needs no config.
    env = dict(os.environ)
    env.pop("TF_CLI_CONFIG_FILE", None)
    env["CHECKPOINT_DISABLE"] = "1"
    return env


def mirrored_providers(root: Path) -> tuple[str, ...]:
    """Providers in ``root`` laid out as a filesystem mirror (packed or unpacked)."""
    found = []
    for provider in PROVIDERS:
        pdir = root / provider
        if not pdir.is_dir():
            continue
        name = provider.rsplit("/", 1)[1]
        if any(pdir.glob(f"*/*/terraform-provider-{name}*")) or any(pdir.glob(f"terraform-provider-{name}_*.zip")):
            found.append(provider)
    return tuple(found)


def _candidates() -> list[Path]:
    explicit = os.environ.get("UJA_PROVIDER_MIRROR")
    if explicit:
        path = Path(explicit).expanduser()
        if not mirrored_providers(path):
            raise ToolchainError(f"UJA_PROVIDER_MIRROR={explicit} holds no provider mirror (expected {PROVIDERS[0]}/<version>/<os_arch>/)")
        return [path]
    dirs = [Path(d).expanduser() for d in STANDARD_PLUGIN_DIRS]
    dirs += [Path(d) / "terraform" / "plugins" for d in os.environ.get("XDG_DATA_DIRS", "").split(":") if d]
    dirs += [Path(d) for d in IMAGE_LOCATIONS]
    # Bounded search: a registry.terraform.io directory at most two levels below the usual roots.
    for root in IMAGE_SEARCH_ROOTS:
        dirs += sorted(p.parent for p in Path(root).glob("*/registry.terraform.io"))
        dirs += sorted(p.parent for p in Path(root).glob("*/*/registry.terraform.io"))
    return dirs


def find_mirror() -> tuple[Path | None, tuple[str, ...]]:
    for path in _candidates():
        providers = mirrored_providers(path)
        if providers:
            return path.resolve(), providers
    return None, ()


def registry_reachable(host: str = "registry.terraform.io", timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def render_cli_config(mirror: Path | None, providers: tuple[str, ...], plugin_cache: Path) -> str:
    lines = [
        "# Generated by journey_guard.terraform.toolchain; machine-specific, never committed.",
        f'plugin_cache_dir = "{plugin_cache}"',
        # The mirror's packages hash like the registry's, so the committed lock file stays valid.
        "plugin_cache_may_break_dependency_lock_file = false",
    ]
    if mirror is not None:
        include = ", ".join(f'"{p}"' for p in providers)
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f'    path    = "{mirror}"',
            f"    include = [{include}]",
            "  }",
            "  direct {",
            f"    exclude = [{include}]",
            "  }",
            "}",
        ]
    return "\n".join(lines) + "\n"


def ensure(check_registry: bool = True) -> Toolchain:
    """Discover, write the CLI config if it changed, and return the toolchain."""
    terraform, version = find_terraform()
    mirror, providers = find_mirror()
    if mirror is None and check_registry and not registry_reachable():
        raise ToolchainError(
            "no provider mirror found and registry.terraform.io unreachable: set UJA_PROVIDER_MIRROR to a filesystem mirror holding hashicorp/aws 5.100.x"
        )
    plugin_cache = cache_dir("terraform", "plugin-cache")
    config_dir = BUILD_DIR / "toolchain"
    config_dir.mkdir(parents=True, exist_ok=True)
    config = config_dir / "terraform.tfrc"
    text = render_cli_config(mirror, providers, plugin_cache)
    write_if_changed(config, text)
    chain = Toolchain(terraform, version, str(mirror) if mirror else None, providers, str(config), str(plugin_cache))
    summary = config_dir / "toolchain.json"
    write_if_changed(summary, json.dumps(asdict(chain), indent=2) + "\n")
    return chain


def main() -> int:
    try:
        chain = ensure()
    except ToolchainError as exc:
        print(f"toolchain: {exc}", file=sys.stderr)
        return 2
    source = f"mirror {chain.mirror}" if chain.mirror else "public registry"
    print(f"terraform {chain.terraform_version} ({chain.terraform}); providers from {source}")
    for key, value in chain.env().items():
        print(f"export {key}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
