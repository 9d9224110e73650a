"""policies/config.yaml: the repository's file is valid; a malformed one names the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from journey_guard.terraform import environments
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


def test_every_environment_of_the_tree_has_thresholds_and_no_other() -> None:
    envs = config.load().environments
    assert sorted(envs) == list(environments.names())
    assert {n: e.var_file for n, e in envs.items()} == {n: f"environments/{n}.tfvars" for n in environments.names()}


def test_every_wildcard_pair_builtin_skip_and_plan_exception_has_a_reason() -> None:
    cfg = config.load()
    assert cfg.wildcard_allow and all(len(p.reason.split()) >= 3 for p in cfg.wildcard_allow)
    assert all(len(r.split()) >= 3 for r in cfg.builtin_skips.values())
    assert set(cfg.builtin_plan_exceptions) >= {"CKV_AWS_21", "CKV_AWS_145", "CKV2_AWS_6"}
    assert all(len(r.split()) >= 3 for r in cfg.builtin_plan_exceptions.values())
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
        (lambda r: r["wildcard_allow"][0].pop("reason"), "wildcard_allow[0] must have exactly actions, resource and reason"),
        (lambda r: r["wildcard_allow"][0].update(actions=["ec2:Describe*"]), "wildcard_allow[0].actions must be exact"),
        (
            lambda r: r["wildcard_allow"][-1].update(resource="arn:${partition}:sagemaker:*:${account}:processing-job/*"),
            "wildcard_allow[6].resource",
        ),
        (
            lambda r: r["wildcard_allow"][-1].update(resource="arn:${partition}:sagemaker:${region}:*:processing-job/*"),
            "wildcard_allow[6].resource",
        ),
        (
            lambda r: r["wildcard_allow"][-1].update(resource="arn:${partition}:s3:${region}:${account}:processing-job/*"),
            "wildcard_allow[6].resource",
        ),
        (
            lambda r: r["wildcard_allow"][-1].update(resource="arn:${partition}:sagemaker:${zone}:${account}:processing-job/*"),
            "wildcard_allow[6].resource",
        ),
        (lambda r: r["builtin_plan_exceptions"].update(CKV_AWS_21=" "), "builtin_plan_exceptions.CKV_AWS_21 needs a reason"),
    ],
)
def test_a_malformed_config_is_rejected_naming_file_and_field(mutate: Callable[[dict], object], message: str) -> None:
    data = raw()
    mutate(data)
    with pytest.raises(config.ConfigError, match=r"config\.yaml") as err:
        config.parse(data, config.CONFIG_PATH)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("action", "resource", "allowed"),
    [
        ("sagemaker:CreateProcessingJob", "arn:aws:sagemaker:us-east-1:123456789012:processing-job/*", True),
        ("SageMaker:createprocessingjob", "arn:aws-us-gov:sagemaker:us-gov-west-1:123456789012:processing-job/*", True),
        ("sagemaker:CreateProcessingJob", "arn:aws:sagemaker:*:123456789012:processing-job/*", False),
        ("sagemaker:CreateProcessingJob", "arn:aws:sagemaker:us-east-1:*:processing-job/*", False),
        ("sagemaker:CreateProcessingJob", "arn:aws:sagemaker:us-east-1:123456789012:processing-job/*/x", False),
        ("sagemaker:CreateTrainingJob", "arn:aws:sagemaker:us-east-1:123456789012:processing-job/*", False),
        ("ec2:DescribeVpcs", "*", True),
        ("ec2:Describe*", "*", False),
        ("ec2:DescribeVpcs", "arn:aws:ec2:us-east-1:123456789012:*", False),
    ],
)
def test_an_allow_list_pair_matches_exactly_and_placeholders_only_concrete_values(action: str, resource: str, allowed: bool) -> None:
    assert (config.load().allowed_wildcard(action, resource) is not None) is allowed
