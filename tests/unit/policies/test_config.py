"""policies/config.yaml: the repository's file is valid; a malformed one names the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from policies import config


def raw() -> dict:
    return yaml.safe_load(config.CONFIG_PATH.read_text())


def test_thresholds_are_the_specs_section_2() -> None:
    envs = config.load().environments
    assert {n: e.timestream_magnetic_retention_min_days for n, e in envs.items()} == {"dev": 30, "staging": 90, "prod": 2555}
    assert [n for n, e in envs.items() if e.dynamodb_pitr_required] == ["staging", "prod"]
    assert [n for n, e in envs.items() if e.dynamodb_deletion_protection_required] == ["prod"]
    assert [n for n, e in envs.items() if e.sagemaker_notebook_allowed] == ["dev"]
    assert envs["dev"].kinesis_shards_max == 2 and envs["prod"].kinesis_shards_min == 4


def test_every_wildcard_action_and_builtin_skip_has_a_reason() -> None:
    cfg = config.load()
    assert cfg.wildcard_resource_actions and all(len(r.split()) >= 3 for r in cfg.wildcard_resource_actions.values())
    assert all(len(r.split()) >= 3 for r in cfg.builtin_skips.values())
    assert not any(i.startswith("UJA_") for i in cfg.builtin_skips), "UJA_ policies are waived per resource, never skipped"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r["environments"]["prod"].pop("var_file"), "environments.prod: missing ['var_file']"),
        (
            lambda r: r["environments"]["dev"].update(timestream_magnetic_retention_min_days="30"),
            "environments.dev.timestream_magnetic_retention_min_days must be int",
        ),
        (lambda r: r["environments"]["dev"].update(dynamodb_pitr_required=1), "environments.dev.dynamodb_pitr_required must be bool"),
        (lambda r: r["environments"]["prod"].update(kinesis_shards={"min": 5, "max": 4}), "environments.prod.kinesis_shards"),
        (lambda r: r["builtin_skips"].update(CKV_AWS_1=""), "builtin_skips.CKV_AWS_1 needs a reason"),
        (lambda r: r.pop("plan_tfvars"), "plan_tfvars must name"),
    ],
)
def test_a_malformed_config_is_rejected_naming_file_and_field(mutate: Callable[[dict], object], message: str) -> None:
    data = raw()
    mutate(data)
    with pytest.raises(config.ConfigError, match=r"config\.yaml") as err:
        config.parse(data, config.CONFIG_PATH)
    assert message in str(err.value)
