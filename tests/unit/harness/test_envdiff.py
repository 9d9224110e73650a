"""The environment difference table on small plan documents (the real plans: tests/plan/test_environments_doc.py)."""

from __future__ import annotations

import json
from typing import Any

from journey_guard.terraform import envdiff, plans

ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}
MEMORY = {"dev": 512, "staging": 1024, "prod": 2048}


def _plan(env: str, *, notebook: bool, label: str = "x", suffix: str | None = None) -> plans.Plan:
    q, account = "-".join(p for p in (env, suffix) if p), ACCOUNTS[env]
    function = {
        "address": "module.fn.aws_lambda_function.this",
        "mode": "managed",
        "type": "aws_lambda_function",
        "values": {
            "function_name": f"uja-fn-{q}",
            "role": f"arn:aws:iam::{account}:role/uja-fn-{q}",
            "memory_size": MEMORY[env],
            "description": "production traffic for developers",
            "policy": json.dumps({"Statement": [{"Resource": f"arn:aws:s3:::uja-logs-{q}-{account}"}]}),
            "tags": {"Environment": env, "label": label},
        },
    }
    resources = [function]
    if notebook:
        resources.append(
            {
                "address": "aws_sagemaker_notebook_instance.this[0]",
                "mode": "managed",
                "type": "aws_sagemaker_notebook_instance",
                "values": {},
            }
        )
    config: dict[str, Any] = {
        "root_module": {
            "resources": [{"address": "aws_sagemaker_notebook_instance.this", "count_expression": {"references": ["var.notebook"]}}],
            "module_calls": {
                "fn": {
                    "expressions": {"memory": {"references": ["var.lambda_memory_size"]}},
                    "module": {
                        "resources": [
                            {
                                "address": "aws_lambda_function.this",
                                "expressions": {"memory_size": {"references": ["var.memory"]}, "tags": {"references": ["local.tags"]}},
                            }
                        ]
                    },
                }
            },
        }
    }
    variables = {"environment": env, "account_id": account, "name_suffix": suffix, "lambda_memory_size": MEMORY[env], "notebook": notebook}
    doc = {
        "planned_values": {
            "root_module": {"resources": resources[1:], "child_modules": [{"address": "module.fn", "resources": [function]}]}
        },
        "configuration": config,
        "variables": {k: {"value": v} for k, v in variables.items()},
    }
    return plans.Plan(env, f"key-{env}", doc)


def test_names_qualifier_and_account_are_normalised_nothing_else() -> None:
    table = envdiff.compare(
        {env: _plan(env, notebook=False, suffix="ab12" if env == "prod" else None) for env in ("dev", "staging", "prod")}
    )
    assert [(d.address, d.attribute) for d in table.differences] == [("module.fn.aws_lambda_function.this", "memory_size")]
    assert table.presence == []


def test_a_difference_traces_through_module_inputs_to_the_root_variable() -> None:
    table = envdiff.compare({env: _plan(env, notebook=False) for env in ("dev", "prod")})
    (diff,) = table.differences
    assert diff.values == (512, 2048) and diff.variables == ("lambda_memory_size",) and not diff.derived


def test_resources_in_some_environments_only_are_listed_apart_with_their_count_variable() -> None:
    table = envdiff.compare({"dev": _plan("dev", notebook=True), "prod": _plan("prod", notebook=False)})
    assert [(p.address, p.environments, p.variables) for p in table.presence] == [
        ("aws_sagemaker_notebook_instance.this[0]", ("dev",), ("notebook",))
    ]
    assert "| `aws_sagemaker_notebook_instance.this[0]` | yes | - | `notebook` |" in table.markdown()


def test_a_difference_through_a_local_is_untraced_and_says_so() -> None:
    table = envdiff.compare({"dev": _plan("dev", notebook=False, label="a"), "staging": _plan("staging", notebook=False, label="b")})
    (untraced,) = table.untraced()
    assert (untraced.attribute, untraced.values) == ("tags.label", ("a", "b"))
    assert "**untraced**" in table.markdown()


def test_the_environment_name_is_replaced_only_as_a_whole_word() -> None:
    assert envdiff.normalise("production-prod-x prod/dev", "prod", "prod-x", "1") == "production-<env> <env>/dev"
    assert envdiff.normalise({"uja-dev": "developer dev"}, "dev", "dev", "1") == {"uja-<env>": "developer <env>"}


def test_a_foreign_root_without_environment_or_account_variables_is_named_by_its_plan() -> None:
    def plan(env: str, size: int) -> plans.Plan:
        resource = {
            "address": "aws_s3_bucket.b",
            "mode": "managed",
            "type": "aws_s3_bucket",
            "values": {"bucket": f"app-{env}", "size": size},
        }
        return plans.Plan(env, env, {"planned_values": {"root_module": {"resources": [resource]}}, "configuration": {}, "variables": {}})

    table = envdiff.compare({"blue": plan("blue", 1), "green": plan("green", 2)})
    assert [(d.attribute, d.values, d.variables) for d in table.differences] == [("size", (1, 2), ())]
