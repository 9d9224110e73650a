"""The one list of environments (journey_guard/terraform/environments.py): read from terraform/environments/."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.quality import coverage
from journey_guard.terraform import environments
from tests.support.terraform_source import unquote


def _tree(tmp_path: Path, *files: str) -> Path:
    folder = tmp_path / "environments"
    folder.mkdir()
    for name in files:
        (folder / name).write_text("")
    return tmp_path


def test_the_environments_are_the_specs_three() -> None:
    spec = coverage.load_facts()["environment-values"].value
    assert environments.names() == tuple(sorted(str(spec).split(", ")))


def test_the_integration_overlay_is_not_an_environment() -> None:
    assert (TERRAFORM_DIR / "environments" / "integration.tfvars").is_file()
    assert "integration" not in environments.names()
    with pytest.raises(environments.UnknownEnvironment, match=r"unknown environment 'integration': no integration-backend\.hcl in "):
        environments.require("integration")
    assert environments.require("staging") == "staging"


def test_an_environment_needs_both_files(tmp_path: Path) -> None:
    tree = _tree(tmp_path, "qa.tfvars", "qa-backend.hcl", "uat.tfvars", "perf-backend.hcl", "overlay.tfvars")
    assert environments.names(tree) == ("qa",)
    with pytest.raises(environments.UnknownEnvironment, match=r"'perf': no perf\.tfvars in .* \(have qa\)"):
        environments.require("perf", tree)
    with pytest.raises(environments.UnknownEnvironment, match=r"'sit': no sit\.tfvars and no sit-backend\.hcl in "):
        environments.require("sit", tree)


@pytest.mark.parametrize("name", ["performance", "Qa", "q", "2nd"])
def test_a_file_pair_with_a_name_terraform_refuses_is_named(tmp_path: Path, name: str) -> None:
    tree = _tree(tmp_path, f"{name}.tfvars", f"{name}-backend.hcl")
    with pytest.raises(environments.UnknownEnvironment, match=rf"environments/{name}\.tfvars: environment name '{name}' must match"):
        environments.names(tree)


def test_the_terraform_validations_use_the_same_name_shape() -> None:
    # The root validates the name against the folder, the bootstrap only its shape: both this module's.
    for path in (TERRAFORM_DIR / "variables.tf", TERRAFORM_DIR / "bootstrap" / "variables.tf"):
        assert f'regex("{environments.NAME.pattern}"' in path.read_text(), path


def test_the_bootstrap_default_lists_every_environment() -> None:
    # The bootstrap plans on its own (no ../environments in its hermetic copy): its default is a copy.
    with (TERRAFORM_DIR / "bootstrap" / "variables.tf").open() as handle:
        variables = {unquote(name): body for block in hcl2.load(handle)["variable"] for name, body in block.items()}
    default = [unquote(name) for name in variables["environments"]["default"]]
    assert default == list(environments.names()), "terraform/bootstrap/variables.tf: the environments default"
