"""equivalence.compare: the proof that a refactor changes nothing, on hand-made plans."""

from __future__ import annotations

import json
from typing import Any

from journey_guard.terraform import equivalence, plans


def _plan(resources: dict[str, dict[str, Any]]) -> plans.Plan:
    planned = [{"address": a, "mode": "managed", "type": a.rsplit(".", 2)[-2], "values": v} for a, v in resources.items()]
    return plans.Plan(env="dev", key="k", json={"planned_values": {"root_module": {"resources": planned}}})


def _policy(*sids: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Sid": s, "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"} for s in sids]}
    )


def test_reordered_statements_are_the_same_policy() -> None:
    old = _plan({"aws_iam_role_policy.a": {"policy": _policy("One", "Two")}})
    new = _plan({"aws_iam_role_policy.a": {"policy": _policy("Two", "One")}})
    assert equivalence.compare(old, new, {}).ok


def test_a_changed_or_dropped_statement_is_a_change() -> None:
    old = _plan({"aws_iam_role_policy.a": {"policy": _policy("One", "Two")}})
    for policy in (_policy("One"), _policy("One", "Three"), _policy("One", "Two", "Two")):
        report = equivalence.compare(old, _plan({"aws_iam_role_policy.a": {"policy": policy}}), {})
        assert list(report.changed) == ["aws_iam_role_policy.a"], policy


def test_other_strings_compare_as_they_are() -> None:
    old = _plan({"aws_sqs_queue.q": {"name": "a", "redrive_policy": "{not json"}})
    assert equivalence.compare(old, _plan({"aws_sqs_queue.q": {"name": "a", "redrive_policy": "{not json"}}), {}).ok
    report = equivalence.compare(old, _plan({"aws_sqs_queue.q": {"name": "b", "redrive_policy": "{not json"}}), {})
    assert list(report.changed) == ["aws_sqs_queue.q"]


def test_a_move_maps_the_old_address_and_nothing_else_is_added() -> None:
    old = _plan({"aws_s3_bucket.logs": {"bucket": "b"}})
    new = _plan({"aws_s3_bucket.this": {"bucket": "b"}, "aws_s3_bucket.extra": {"bucket": "x"}})
    report = equivalence.compare(old, new, {(): [("aws_s3_bucket.logs", "aws_s3_bucket.this")]})
    assert report.moved == {"aws_s3_bucket.logs": "aws_s3_bucket.this"}
    assert report.added == ["aws_s3_bucket.extra"] and not report.ok
