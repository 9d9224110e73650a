"""The deployment itself: what apply created in the account, and an empty second plan."""

from __future__ import annotations

from tests.support.integration import Cycle


def test_apply_created_the_data_layer_and_the_stream(cycle: Cycle) -> None:
    q = cycle.deployment.qualifier
    tables = set(cycle.account.client("dynamodb").list_tables()["TableNames"])
    assert {f"uja-{t}-{q}" for t in ("user-profiles", "user-events", "struggle-signals", "video-engagement", "idempotency")} <= tables
    streams = cycle.account.client("kinesis").list_streams()["StreamNames"]
    assert f"uja-user-events-{q}" in streams
    queues = [u.rsplit("/", 1)[1] for u in cycle.account.client("sqs").list_queues(QueueNamePrefix="uja-").get("QueueUrls", [])]
    for name in ("struggle-signals", "video-analysis", "interventions"):
        assert f"uja-{name}-{q}" in queues and f"uja-{name}-dlq-{q}" in queues
    assert f"uja-stream-failures-{q}" in queues


def test_every_resource_carries_the_run_tags(cycle: Cycle) -> None:
    tagging = cycle.account.client("resourcegroupstaggingapi")
    tagged = tagging.get_resources(TagFilters=[{"Key": "run_id", "Values": [cycle.account.run_id]}])["ResourceTagMappingList"]
    assert tagged
    for resource in tagged:
        tags = {t["Key"]: t["Value"] for t in resource["Tags"]}
        assert tags["ephemeral"] == "true" and tags["ManagedBy"] == "terraform", resource["ResourceARN"]


def test_second_plan_is_empty(cycle: Cycle) -> None:
    changes = cycle.replan()
    assert changes == [], "perpetual diff after apply:\n" + "\n".join(f"{c['address']}: {c['actions']}" for c in changes)


def test_each_function_queue_url_is_the_applied_queues_url(cycle: Cycle) -> None:
    # The URLs are built from names (functions need not wait for the queues): they must be SQS's own.
    q, sqs, lam = cycle.deployment.qualifier, cycle.account.client("sqs"), cycle.account.client("lambda")
    checked = 0
    for function in ("event-processor", "struggle-detector", "video-analyzer", "intervention-executor"):
        variables = lam.get_function_configuration(FunctionName=f"uja-{function}-{q}")["Environment"]["Variables"]
        for name, url in variables.items():
            if name.endswith("_QUEUE_URL"):
                assert url == sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"], f"{function} {name}"
                checked += 1
    assert checked == 4, "STRUGGLE and VIDEO (event processor), INTERVENTIONS (struggle detector, video analyzer)"
