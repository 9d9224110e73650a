"""Whole-plan checks: a passing and a failing plan per check, built like ``terraform show -json``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from policies import plan_checks

ACCOUNT = "123456789012"


@dataclass
class Res:
    address: str
    values: dict[str, Any]
    refs: dict[str, list[str]] = field(default_factory=dict)  # module-relative, as Terraform writes them
    unknown: dict[str, Any] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.address.rsplit(".", 2)[0] if self.address.startswith("module.") else ""

    @property
    def type_name(self) -> tuple[str, str]:
        rtype, name = re.sub(r"\[[^\]]*\]$", "", self.address).split(".")[-2:]
        return rtype, name


def plan(*resources: Res) -> dict[str, Any]:
    """A minimal plan JSON: planned values, resource changes and the configuration's references."""
    modules: dict[str, list[Res]] = {}
    for r in resources:
        modules.setdefault(r.module, []).append(r)

    def planned(r: Res) -> dict[str, Any]:
        rtype, name = r.type_name
        return {"address": r.address, "mode": "managed", "type": rtype, "name": name, "values": r.values}

    def configured(rs: list[Res]) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for r in rs:
            rtype, name = r.type_name
            seen.setdefault(
                f"{rtype}.{name}",
                {
                    "address": f"{rtype}.{name}",
                    "mode": "managed",
                    "type": rtype,
                    "name": name,
                    "expressions": {k: {"references": v} for k, v in r.refs.items()},
                },
            )
        return list(seen.values())

    return {
        "planned_values": {
            "root_module": {
                "resources": [planned(r) for r in modules.get("", [])],
                "child_modules": [{"address": m, "resources": [planned(r) for r in rs]} for m, rs in modules.items() if m],
            }
        },
        "resource_changes": [
            {
                "address": r.address,
                "mode": "managed",
                "type": r.type_name[0],
                "change": {"actions": ["create"], "after": r.values, "after_unknown": r.unknown},
            }
            for r in resources
        ],
        "configuration": {
            "root_module": {
                "resources": configured(modules.get("", [])),
                "module_calls": {m.split(".", 1)[1]: {"module": {"resources": configured(rs)}} for m, rs in modules.items() if m},
            }
        },
    }


def function(key: str, role_refs: list[str], **values: Any) -> Res:
    return Res(
        f'module.functions.aws_lambda_function.this["{key}"]',
        {"function_name": f"uja-{key}", **values},
        {"role": role_refs},
        {"role": True},
    )


def queue(name: str, redrive: bool) -> Res:
    values: dict[str, Any] = {"name": name}
    if redrive:
        values["redrive_policy"] = json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}-dlq", "maxReceiveCount": 3})
    return Res(f'module.messaging.aws_sqs_queue.this["{name}"]', values)


def attached_redrive(name: str) -> Res:
    """An aws_sqs_queue_redrive_policy for queue ``name``, its URL built from the name as the messaging module does."""
    policy = json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}-dlq", "maxReceiveCount": 3})
    return Res(
        f'module.messaging.aws_sqs_queue_redrive_policy.this["{name}"]',
        {"queue_url": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/{name}", "redrive_policy": policy},
    )


def mapping(key: str, source: str) -> Res:
    return Res(
        f'module.functions.aws_lambda_event_source_mapping.queue["{key}"]',
        {"event_source_arn": source},
        {"function_name": ["aws_lambda_function.this", "each.key"]},
        {"function_name": True},
    )


def bucket(key: str) -> Res:
    return Res(f'module.storage.aws_s3_bucket.this["{key}"]', {"bucket": f"uja-{key}-dev-{ACCOUNT}"})


def tls_policy(*keys: str) -> Res:
    arns = [f"arn:aws:s3:::uja-{k}-dev-{ACCOUNT}" for k in keys]
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": arns + [a + "/*" for a in arns],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return Res(
        'module.storage.aws_s3_bucket_policy.this["all"]', {"policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}
    )


OWN_ROLES = ["aws_iam_role.this", "each.key"]
SHARED_ROLE = ["aws_iam_role.shared.arn", "aws_iam_role.shared"]
SQS = f"arn:aws:sqs:us-east-1:{ACCOUNT}:"
DLQ_TARGET = [{"target_arn": f"{SQS}uja-async-dlq"}]

# check id -> (plan, {address: expected}) cases; every check has a passing and a failing case.
CASES = {
    "UJA_IAM_007": [
        (
            plan(function("a", OWN_ROLES), function("b", OWN_ROLES)),
            {'module.functions.aws_lambda_function.this["a"]': True, 'module.functions.aws_lambda_function.this["b"]': True},
        ),
        (
            plan(function("a", SHARED_ROLE), function("b", SHARED_ROLE)),
            {'module.functions.aws_lambda_function.this["a"]': False, 'module.functions.aws_lambda_function.this["b"]': False},
        ),
    ],
    "UJA_REL_004": [
        (
            plan(queue("uja-work-dev", True), mapping("a", SQS + "uja-work-dev")),
            {'module.messaging.aws_sqs_queue.this["uja-work-dev"]': True},
        ),
        (
            plan(queue("uja-work-dev", False), queue("uja-unconsumed-dev", False), mapping("a", SQS + "uja-work-dev")),
            {'module.messaging.aws_sqs_queue.this["uja-work-dev"]': False},
        ),
        (  # the redrive attached by its own resource counts
            plan(queue("uja-work-dev", False), attached_redrive("uja-work-dev"), mapping("a", SQS + "uja-work-dev")),
            {'module.messaging.aws_sqs_queue.this["uja-work-dev"]': True},
        ),
        (  # ...but only for the queue its URL names
            plan(queue("uja-work-dev", False), attached_redrive("uja-other-dev"), mapping("a", SQS + "uja-work-dev")),
            {'module.messaging.aws_sqs_queue.this["uja-work-dev"]': False},
        ),
    ],
    "UJA_REL_005": [
        (
            plan(function("a", OWN_ROLES), function("b", OWN_ROLES, dead_letter_config=DLQ_TARGET), mapping("a", SQS + "uja-work-dev")),
            {'module.functions.aws_lambda_function.this["a"]': True, 'module.functions.aws_lambda_function.this["b"]': True},
        ),
        (
            plan(function("a", OWN_ROLES), function("b", OWN_ROLES, dead_letter_config=[]), mapping("a", SQS + "uja-work-dev")),
            {'module.functions.aws_lambda_function.this["a"]': True, 'module.functions.aws_lambda_function.this["b"]': False},
        ),
    ],
    "UJA_ENC_012": [
        (
            plan(bucket("logs"), bucket("data"), tls_policy("logs", "data")),
            {'module.storage.aws_s3_bucket.this["logs"]': True, 'module.storage.aws_s3_bucket.this["data"]': True},
        ),
        (
            plan(bucket("logs"), bucket("data"), tls_policy("logs")),
            {'module.storage.aws_s3_bucket.this["logs"]': True, 'module.storage.aws_s3_bucket.this["data"]': False},
        ),
    ],
}


def test_every_plan_check_has_cases() -> None:
    assert {c.rule.id for c in plan_checks.PLAN_CHECKS} == set(CASES)


@pytest.mark.parametrize(("check_id", "case"), [(c, i) for c in sorted(CASES) for i in range(len(CASES[c]))])
def test_plan_check_on_its_fixture(check_id: str, case: int) -> None:
    raw, expected = CASES[check_id][case]
    got = {address: ok for rule, address, ok in plan_checks.run(raw) if rule.id == check_id}
    assert got == expected


def test_each_check_has_a_passing_and_a_failing_fixture() -> None:
    for check_id, cases in CASES.items():
        outcomes = [all(expected.values()) for _, expected in cases]
        assert True in outcomes and False in outcomes, check_id
