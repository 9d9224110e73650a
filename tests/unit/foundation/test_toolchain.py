"""The toolchain step: mirror discovery, generated CLI config, one-line failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from journey_guard.terraform import toolchain


def _mirror(root: Path, version: str = "5.100.0", packed: bool = False) -> Path:
    pdir = root / "registry.terraform.io" / "hashicorp" / "aws"
    if packed:
        pdir.mkdir(parents=True)
        (pdir / f"terraform-provider-aws_{version}_linux_amd64.zip").write_bytes(b"zip")
    else:
        target = pdir / version / "linux_amd64"
        target.mkdir(parents=True)
        (target / f"terraform-provider-aws_v{version}_x5").write_bytes(b"bin")
    return root


@pytest.mark.parametrize("packed", [False, True])
def test_mirror_layouts_are_recognised(tmp_path: Path, packed: bool) -> None:
    assert toolchain.mirrored_providers(_mirror(tmp_path, packed=packed)) == ("registry.terraform.io/hashicorp/aws",)


def test_directory_without_provider_is_not_a_mirror(tmp_path: Path) -> None:
    (tmp_path / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    assert toolchain.mirrored_providers(tmp_path) == ()


def test_explicit_mirror_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJA_PROVIDER_MIRROR", str(_mirror(tmp_path)))
    mirror, providers = toolchain.find_mirror()
    assert mirror == tmp_path.resolve()
    assert providers == ("registry.terraform.io/hashicorp/aws",)


def test_explicit_mirror_that_holds_nothing_fails_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJA_PROVIDER_MIRROR", str(tmp_path))
    with pytest.raises(toolchain.ToolchainError, match="UJA_PROVIDER_MIRROR"):
        toolchain.find_mirror()


def test_config_uses_mirror_for_its_providers_and_registry_for_the_rest(tmp_path: Path) -> None:
    text = toolchain.render_cli_config(tmp_path, ("registry.terraform.io/hashicorp/aws",), tmp_path / "cache")
    assert f'path    = "{tmp_path}"' in text
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in text
    assert f'plugin_cache_dir = "{tmp_path / "cache"}"' in text


def test_config_without_mirror_falls_back_to_the_registry(tmp_path: Path) -> None:
    text = toolchain.render_cli_config(None, (), tmp_path / "cache")
    assert "provider_installation" not in text
    assert "plugin_cache_dir" in text


def test_no_mirror_and_no_registry_fails_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toolchain, "find_mirror", lambda: (None, ()))
    monkeypatch.setattr(toolchain, "registry_reachable", lambda *a, **k: False)
    with pytest.raises(toolchain.ToolchainError) as err:
        toolchain.ensure()
    message = str(err.value)
    assert "\n" not in message
    assert "UJA_PROVIDER_MIRROR" in message


def test_missing_terraform_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UJA_TERRAFORM", raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(toolchain.ToolchainError, match=r"install Terraform >= 1\.11"):
        toolchain.find_terraform()


def test_too_old_terraform_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "terraform"
    fake.write_text('#!/bin/sh\necho \'{"terraform_version": "1.5.7"}\'\n')
    fake.chmod(0o755)
    monkeypatch.setenv("UJA_TERRAFORM", str(fake))
    with pytest.raises(toolchain.ToolchainError, match="too old"):
        toolchain.find_terraform()
