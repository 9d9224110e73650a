"""The override writer: which provider blocks it finds and what it writes (no Terraform run)."""

from __future__ import annotations

from pathlib import Path

from journey_guard.terraform import hermetic

ENDPOINTS = ("kinesis", "sqs")


def _root(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_every_block_is_found_with_its_alias_and_role_blocks(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        {
            "providers.tf": (
                '# provider "aws" { in a comment is not a block\n'
                'provider "aws" {\n  region = "eu-west-1"\n  default_tags {\n    tags = { Name = "}" }\n  }\n}\n'
                'provider "aws" {\n  alias = "west"\n  assume_role {\n    role_arn = "arn"\n  }\n}\n'
                'provider "google" {\n  alias = "x"\n}\n'
            ),
            "main.tf": 'locals {\n  doc = <<-EOT\n    provider "aws" {\n  EOT\n}\nmodule "m" {\n  source = "./modules/m"\n}\n',
            "modules/m/main.tf": 'provider "aws" {\n  region = "us-west-2"\n}\nresource "aws_sqs_queue" "q" {}\n',
            "other.tf.json": '{"provider": {"aws": [{"alias": "json", "assume_role_with_web_identity": {}}]}}',
            "dynamic.tf": 'provider "aws" {\n  alias = "dyn"\n  dynamic "assume_role" {\n    for_each = []\n    content {}\n  }\n}\n',
        },
    )
    found = {(b.module_dir.relative_to(root).as_posix(), b.alias, b.role_blocks) for b in hermetic.provider_blocks(root)}
    assert found == {
        (".", None, ()),
        (".", "west", ("assume_role",)),
        (".", "json", ("assume_role_with_web_identity",)),
        (".", "dyn", ("assume_role",)),
        ("modules/m", None, ()),
    }


def test_overrides_carry_the_hermetic_settings_for_each_block(tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        {"main.tf": 'provider "aws" {\n  profile = "x"\n}\nprovider "aws" {\n  alias = "b"\n  assume_role {\n    role_arn = "r"\n  }\n}\n'},
    )
    files = hermetic.render_overrides(root, hermetic.Settings(), ENDPOINTS)
    text = files[root / hermetic.OVERRIDE_FILE]
    assert text.count('provider "aws" {') == 2 and 'alias = "b"' in text
    assert hermetic.BACKEND_OVERRIDE in text
    assert text.count("max_retries = 1") == 2
    assert text.count("profile = null") == 2
    assert text.count('role_arn = ""') == 1  # only the block that assumes a role
    assert text.count(f'kinesis = "{hermetic.UNREACHABLE}"') == 2 and text.count(f'sqs = "{hermetic.UNREACHABLE}"') == 2
    assert root / hermetic.PROVIDER_FILE not in files  # the default block exists: an override suffices


def test_a_root_without_a_default_block_gets_a_real_one(tmp_path: Path) -> None:
    # An override needs its base block; the implied default provider has none.
    root = _root(tmp_path, {"main.tf": 'provider "aws" {\n  alias = "b"\n}\nresource "aws_sqs_queue" "q" {}\n'})
    files = hermetic.render_overrides(root, hermetic.Settings(region="eu-west-1"), ENDPOINTS)
    assert 'region = "eu-west-1"' in files[root / hermetic.PROVIDER_FILE]
    assert "alias" not in files[root / hermetic.PROVIDER_FILE]


def test_a_root_without_aws_gets_only_the_backend(tmp_path: Path) -> None:
    root = _root(tmp_path, {"main.tf": 'resource "random_id" "x" {\n  byte_length = 2\n}\n'})
    assert hermetic.render_overrides(root, hermetic.Settings(), ENDPOINTS) == {root / hermetic.OVERRIDE_FILE: hermetic.BACKEND_OVERRIDE}


def test_an_apply_keeps_the_providers_default_retries(tmp_path: Path) -> None:
    root = _root(tmp_path, {"main.tf": 'provider "aws" {}\n'})
    text = hermetic.render_overrides(root, hermetic.Settings(endpoint="http://127.0.0.1:5000", max_retries=None), ENDPOINTS)
    assert "max_retries" not in text[root / hermetic.OVERRIDE_FILE]
    assert 'sqs = "http://127.0.0.1:5000"' in text[root / hermetic.OVERRIDE_FILE]


def test_endpoint_names_come_from_the_provider_schema() -> None:
    schema = {
        "provider_schemas": {
            hermetic.AWS_PROVIDER: {
                "provider": {"block": {"block_types": {"endpoints": {"block": {"attributes": {"sqs": {}, "acm": {}}}}}}}
            }
        }
    }
    assert hermetic.endpoints_from_schema(schema) == ["acm", "sqs"]
