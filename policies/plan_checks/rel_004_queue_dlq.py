import json

from policies.base import Rule, register
from policies.plan_checks import PlanView, known

RULE = register(
    Rule(
        "UJA_REL_004",
        "SQS queues that trigger a function must redrive to a dead-letter queue",
        "HIGH",
        "Without a redrive policy a message that always fails is retried until retention deletes it, silently.",
        "Set redrive_policy = jsonencode({ deadLetterTargetArn = <dlq arn>, maxReceiveCount = 3 }) on the queue, "
        "or attach it with an aws_sqs_queue_redrive_policy whose queue_url names the queue.",
    )
)


def _redrives(policy: object) -> bool:
    if not known(policy):
        return False
    try:
        doc = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError:
        return False
    return isinstance(doc, dict) and known(doc.get("deadLetterTargetArn")) and int(doc.get("maxReceiveCount") or 0) >= 1


def _attached(view: PlanView) -> dict[str, object]:
    """Queue name -> the redrive policy an ``aws_sqs_queue_redrive_policy`` attaches to it (URL ends in the name)."""
    out = {}
    for values in view.of_type("aws_sqs_queue_redrive_policy").values():
        url = values.get("queue_url")
        if known(url) and isinstance(url, str):
            out[url.rstrip("/").rsplit("/", 1)[-1]] = values.get("redrive_policy")
    return out


def evaluate(view: PlanView) -> list[tuple[str, bool]]:
    queues = {v.get("name"): a for a, v in view.of_type("aws_sqs_queue").items() if known(v.get("name"))}
    attached = _attached(view)
    results = {}
    for mapping in view.of_type("aws_lambda_event_source_mapping").values():
        source = mapping.get("event_source_arn")
        if not (known(source) and ":sqs:" in source):
            continue
        name = source.rsplit(":", 1)[-1]
        queue = queues.get(name)
        if queue is not None:  # a queue outside this plan is its owner's to check
            results[queue] = _redrives(view.resources[queue].get("redrive_policy")) or _redrives(attached.get(name))
    return sorted(results.items())
