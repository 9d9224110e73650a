"""journey_guard.terraform.inventory without Terraform: loading, spec references, subset comparison, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journey_guard.quality import coverage
from journey_guard.terraform import inventory

FACTS = {"kinesis-shard-count": object(), "sqs-dlqs": object(), "names": object()}
PLAN = {
    "module.s.aws_kinesis_stream.this": {"type": "aws_kinesis_stream", "name": "uja-user-events-dev", "shard_count": 1, "encrypted": True},
    'module.m.aws_sqs_queue.this["a"]': {
        "type": "aws_sqs_queue",
        "redrive_policy": json.dumps({"maxReceiveCount": 3, "deadLetterTargetArn": "x"}),
    },
    'module.m.aws_sqs_queue.this["b"]': {"type": "aws_sqs_queue", "redrive_policy": json.dumps({"maxReceiveCount": 3})},
}
KNOWN = inventory.names({"environment": "dev", "name_suffix": None, "account_id": "123456789012"})


def _inventory(tmp_path: Path, text: str, name: str = "inv.yaml") -> dict:
    path = tmp_path / name
    path.write_text(text)
    return inventory.load_file(path)


def test_a_tagged_leaf_keeps_its_yaml_type_and_its_fact(tmp_path: Path) -> None:
    data = _inventory(tmp_path, "values:\n  a: {n: !spec:names 1, s: !spec:names '1', b: !spec:names true, l: !spec:names [x]}\n")
    values = data["values"]["a"]
    assert [(v.fact, v.value) for v in values.values()] == [("names", 1), ("names", "1"), ("names", True), ("names", ["x"])]
    assert values["n"].where == "inv.yaml:2"


def test_every_leaf_needs_a_known_fact(tmp_path: Path) -> None:
    data = _inventory(tmp_path, "values:\n  a: {shard_count: 1, name: !spec:nope x}\ncounts: {aws_vpc: !spec:names 1}\n")
    with pytest.raises(inventory.InventoryError) as err:
        inventory.check_references(data, FACTS)
    text = str(err.value)
    assert "values.a.shard_count: no spec reference" in text
    assert "!spec:nope is not a fact" in text
    assert "counts" not in text


def test_one_tag_over_a_whole_plan_is_refused(tmp_path: Path) -> None:
    snapshot = {f"k{i}": i for i in range(inventory.MAX_LEAVES + 1)}
    data = _inventory(tmp_path, f"values:\n  a: !spec:names {json.dumps(snapshot)}\n")
    with pytest.raises(inventory.InventoryError, match="one spec reference over 41 leaves"):
        inventory.check_references(data, FACTS)


def test_unknown_keys_and_duplicate_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(inventory.InventoryError, match=r"unknown top-level keys \['valuez'\]"):
        _inventory(tmp_path, "valuez: {}\n")
    with pytest.raises(inventory.InventoryError, match=r"inv.yaml:2: key 'x' appears twice"):
        _inventory(tmp_path, "values:\n  a: {x: !spec:names 1, x: !spec:names 2}\n")


def test_values_compare_as_subsets_with_json_strings_parsed(tmp_path: Path) -> None:
    data = _inventory(
        tmp_path,
        "values:\n"
        "  module.s.aws_kinesis_stream.this: {name: !spec:names 'uja-user-events-{q}', shard_count: !spec:kinesis-shard-count 1}\n"
        "  type:aws_sqs_queue: {redrive_policy: {maxReceiveCount: !spec:sqs-dlqs 3}}\n"
        "counts: {aws_sqs_queue: !spec:sqs-dlqs 2}\n",
    )
    assert inventory.validate(data, PLAN, {}, KNOWN) == []


def test_a_changed_value_a_missing_resource_and_a_wrong_count_are_each_reported(tmp_path: Path) -> None:
    data = _inventory(
        tmp_path,
        "values:\n"
        "  module.s.aws_kinesis_stream.this: {shard_count: !spec:kinesis-shard-count 2, encrypted: !spec:names 1}\n"
        "  module.x.aws_sns_topic.this: {name: !spec:names t}\n"
        "  type:aws_sqs_queue: {redrive_policy: {maxReceiveCount: !spec:sqs-dlqs 5}}\n"
        "counts: {aws_sqs_queue: !spec:sqs-dlqs 3}\n"
        "counts_complete: true\n",
    )
    found = {(m.block, m.path, m.fact): (m.expected, m.actual) for m in inventory.validate(data, PLAN, {}, KNOWN)}
    assert found == {
        ("module.s.aws_kinesis_stream.this", "shard_count", "kinesis-shard-count"): (2, 1),
        # A bool is not a number in a plan, although True == 1 in Python.
        ("module.s.aws_kinesis_stream.this", "encrypted", "names"): (1, True),
        ("module.x.aws_sns_topic.this", "", "names"): ("a planned resource", inventory.ABSENT),
        ('module.m.aws_sqs_queue.this["a"]', "redrive_policy.maxReceiveCount", "sqs-dlqs"): (5, 3),
        ('module.m.aws_sqs_queue.this["b"]', "redrive_policy.maxReceiveCount", "sqs-dlqs"): (5, 3),
        ("counts", "aws_sqs_queue", "sqs-dlqs"): (3, 2),
        ("counts", "aws_kinesis_stream", ""): (inventory.ABSENT, 1),
    }


def test_lists_must_have_the_same_length(tmp_path: Path) -> None:
    data = _inventory(tmp_path, "values:\n  type:aws_sqs_queue: {redrive_policy: !spec:sqs-dlqs []}\n")
    assert len(inventory.validate(data, PLAN, {}, KNOWN)) == 2


def test_the_report_is_a_short_diff_and_the_draft_command(tmp_path: Path) -> None:
    data = _inventory(tmp_path, "values:\n  module.s.aws_kinesis_stream.this: {shard_count: !spec:kinesis-shard-count 2}\n")
    text = inventory.report(inventory.validate(data, PLAN, {}, KNOWN), data["source"])
    assert "-shard_count [kinesis-shard-count]: 2\n+shard_count [kinesis-shard-count]: 1" in text
    assert text.endswith(f"python -m journey_guard.terraform.inventory draft {data['source']} --address module.s.aws_kinesis_stream.this")


def test_a_draft_is_tagged_for_review_and_refused_until_reviewed(tmp_path: Path) -> None:
    text = inventory.draft(PLAN, {}, KNOWN, addresses=["module.s.aws_kinesis_stream.this"], types=[], with_counts=True, with_outputs=False)
    assert "name: !spec:REVIEW 'uja-user-events-{q}'" in text
    data = _inventory(tmp_path, text)
    assert inventory.validate(data, PLAN, {}, KNOWN) == []  # it says what the plan says ...
    with pytest.raises(inventory.InventoryError, match="!spec:REVIEW is not a fact"):
        inventory.check_references(data, FACTS)  # ... and cannot be committed as it is


def test_includes_merge_attributes_under_the_including_file(tmp_path: Path) -> None:
    (tmp_path / "common.yaml").write_text("values:\n  a: {x: !spec:names 1}\ncounts: {t: !spec:names 1}\n")
    data = _inventory(tmp_path, "include: [common.yaml]\nvalues:\n  a: {y: !spec:names 3}\ncounts: {u: !spec:names 2}\n")
    assert {k: v.value for k, v in data["values"]["a"].items()} == {"x": 1, "y": 3}
    assert set(data["counts"]) == {"t", "u"}
    # A block tagged as a whole merges attribute by attribute too, each keeping its fact.
    (tmp_path / "common.yaml").write_text("values:\n  a: !spec:sqs-dlqs {x: 1, y: 2}\n")
    data = _inventory(tmp_path, "include: [common.yaml]\nvalues:\n  a: {z: !spec:names 3}\n")
    assert {k: (v.fact, v.value) for k, v in data["values"]["a"].items()} == {"x": ("sqs-dlqs", 1), "y": ("sqs-dlqs", 2), "z": ("names", 3)}
    # An attribute set in both files would drop the included file's nested expectations: refused.
    with pytest.raises(inventory.InventoryError, match=r"values.a: \['y'\] already set by an included file"):
        _inventory(tmp_path, "include: [common.yaml]\nvalues:\n  a: {y: !spec:names 3}\n")


def test_reject_cases_share_a_plan_unless_they_share_a_variable(tmp_path: Path) -> None:
    data = _inventory(
        tmp_path,
        "rejects:\n  - !spec:names {a: 0}\n  - !spec:names {a: 9}\n  - !spec:names {b: 0, a: 1}\n  - !spec:names {c: x}\n",
    )
    batches = inventory.reject_batches(data)
    # The cross-variable case is planned alone: another case's invalid value could mask it.
    assert [[c.value for c in b] for b in batches] == [[{"a": 0}, {"c": "x"}], [{"a": 9}], [{"b": 0, "a": 1}]]
    mixed = _inventory(tmp_path, "rejects:\n  - !spec:names {b: 0, a: 1}\n  - !spec:names {c: x}\n  - !spec:names {d: 0, e: 1}\n")
    assert [[c.value for c in b] for b in inventory.reject_batches(mixed)] == [[{"b": 0, "a": 1}], [{"c": "x"}], [{"d": 0, "e": 1}]]
    assert inventory.tfvars_text(batches[0]) == 'a = 0\nc = "x"\n'


def test_rejected_variables_are_read_from_each_diagnostic_subject() -> None:
    diagnostics = """
Error: Invalid value for variable

  on rejects-0.tfvars line 1:
   1: kinesis_shard_count = 0
    ├────────────────
    │ var.kinesis_shard_count is 0

Error: Invalid value for variable

  on rejects-0.tfvars line 2:
   2: s3_transition_glacier_days = 59
    ├────────────────
    │ var.s3_transition_glacier_days is 59
    │ var.s3_transition_ia_days is 30
"""
    assert inventory.rejected_variables(diagnostics) == {"kinesis_shard_count", "s3_transition_glacier_days"}
    cases = [inventory.Spec("names", {"s3_transition_ia_days": 30}, "x:1"), inventory.Spec("names", {"kinesis_shard_count": 0}, "x:2")]
    assert inventory.unrejected(cases, diagnostics) == [
        "'s3_transition_ia_days = 30' [names, x:1] was accepted: expected a validation error naming it"
    ]
    assert len(inventory.unrejected(cases, None)) == 2


def test_the_repository_inventories_reference_only_known_facts() -> None:
    facts = coverage.load_facts()
    for path in sorted(coverage.INVENTORIES.glob("*.yaml")):
        inventory.check_references(inventory.load_file(path), facts)


def test_policy_statements_match_by_sid_in_any_order(tmp_path: Path) -> None:
    statements = [{"Sid": "Logs", "Action": "logs:PutLogEvents"}, {"Sid": "Key", "Action": "kms:Decrypt"}]
    plan = {"module.f.aws_iam_role_policy.this": {"type": "aws_iam_role_policy", "policy": json.dumps({"Statement": statements})}}
    head = "values:\n  module.f.aws_iam_role_policy.this: {policy: {Statement: "
    in_order = _inventory(tmp_path, head + "[{Sid: !spec:names Key, Action: !spec:names kms:Decrypt}, {Sid: !spec:names Logs}]}}\n")
    assert inventory.validate(in_order, plan, {}, KNOWN) == []
    # Matched by Sid, a wrong action is still reported, at the inventory's index.
    wrong = _inventory(tmp_path, head + "[{Sid: !spec:names Key, Action: !spec:names kms:Encrypt}, {Sid: !spec:names Logs}]}}\n")
    assert [(m.path, m.actual) for m in inventory.validate(wrong, plan, {}, KNOWN)] == [("policy.Statement[0].Action", "kms:Decrypt")]
    # A Sid the plan lacks: no matching, the statements compare by position and differ.
    unknown = _inventory(tmp_path, head + "[{Sid: !spec:names Key}, {Sid: !spec:names Other}]}}\n")
    assert len(inventory.validate(unknown, plan, {}, KNOWN)) == 2
