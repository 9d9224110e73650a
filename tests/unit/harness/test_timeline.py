"""Where an apply's time goes: spans from a timed log, the critical path through the state's dependencies."""

from __future__ import annotations

import pytest

from journey_guard import progress
from journey_guard.ephemeral import deploy, timeline

LOG = "".join(
    timeline.stamp(t, line + "\n")
    for t, line in [
        (0.5, "Plan: 4 to add, 0 to change, 0 to destroy."),
        (13.0, 'module.keys.aws_kms_key.this["events"]: Creating...'),
        (13.1, "module.iam.aws_iam_role.fn: Creating..."),
        (14.0, "module.iam.aws_iam_role.fn: Creation complete after 1s [id=fn]"),
        (33.0, 'module.keys.aws_kms_key.this["events"]: Creation complete after 20s [id=k]'),
        (33.2, 'module.messaging.aws_sqs_queue.this["a"]: Creating...'),
        (33.3, "module.messaging.data.aws_iam_policy_document.x: Reading..."),
        (33.4, "module.messaging.data.aws_iam_policy_document.x: Read complete after 0s [id=1]"),
        (58.0, 'module.messaging.aws_sqs_queue.this["a"]: Creation complete after 25s [id=u]'),
        (58.1, "module.functions.aws_lambda_event_source_mapping.q: Creating..."),
        (58.3, "module.functions.aws_lambda_event_source_mapping.q: Creation complete after 0s [id=m]"),
    ]
)
STATE = {
    "values": {
        "root_module": {
            "child_modules": [
                {"resources": [{"address": 'module.keys.aws_kms_key.this["events"]'}]},
                {"resources": [{"address": "module.iam.aws_iam_role.fn"}]},
                {"resources": [{"address": 'module.messaging.aws_sqs_queue.this["a"]', "depends_on": ["module.keys.aws_kms_key.this"]}]},
                {
                    "resources": [
                        {
                            "address": "module.functions.aws_lambda_event_source_mapping.q",
                            "depends_on": ["module.messaging.aws_sqs_queue.this", "module.iam.aws_iam_role.fn"],
                        }
                    ]
                },
            ]
        }
    }
}


def test_spans_are_managed_resources_from_start_to_completion() -> None:
    spans = timeline.spans(LOG)
    assert set(spans) == {
        'module.keys.aws_kms_key.this["events"]',
        "module.iam.aws_iam_role.fn",
        'module.messaging.aws_sqs_queue.this["a"]',
        "module.functions.aws_lambda_event_source_mapping.q",
    }
    assert spans['module.messaging.aws_sqs_queue.this["a"]'].seconds == 58.0 - 33.2


def test_the_critical_path_follows_the_dependency_that_finished_last() -> None:
    chain = timeline.critical_path(timeline.spans(LOG), timeline.dependencies(STATE))
    # The role finished early: the mapping waited on the queue, the queue on the key.
    assert [s.address for s in chain] == [
        'module.keys.aws_kms_key.this["events"]',
        'module.messaging.aws_sqs_queue.this["a"]',
        "module.functions.aws_lambda_event_source_mapping.q",
    ]
    table = timeline.markdown(chain, total=60.0)
    assert '| `module.keys.aws_kms_key.this["events"]` | 13.0 | 20.0 | 13.0 |' in table
    assert table[-1].endswith("| 1.7 |")  # after the last resource until the step ended


def test_unstamp_gives_back_terraforms_own_output() -> None:
    assert timeline.unstamp(timeline.stamp(3.25, "Apply complete!\n")) == "Apply complete!\n"


def test_progress_counts_managed_resources_against_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    lines: list[str] = []
    monkeypatch.setattr(progress, "SINK", lines.append)
    meter = deploy.Progress("apply dev")
    for seconds, line in enumerate(timeline.unstamp(LOG).splitlines()):
        meter.feed(line, float(seconds) * 10)
    meter.finish(60.0, True)
    assert lines[0] == "[apply dev] 4 resources planned"
    assert lines[-1] == "[apply dev] done: 4/4 resources in 60.0 s"  # the data source read is not counted
