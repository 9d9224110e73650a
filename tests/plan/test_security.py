"""Security-relevant values as rendered: key wiring, IAM least privilege, resource policies."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from journey_guard.terraform import plans
from tests.support.plans import expect_equal, fill

pytestmark = pytest.mark.slow

KEY_DOMAINS = ("events", "storage", "ml", "logs")
FUNCTION_POLICY = 'module.functions.aws_iam_role_policy.this["{}"]'
AGENT_POLICY = "module.agent[0].aws_iam_role_policy.agent"


# The resources that hold the system's IAM and resource policies, and the attribute holding each.
POLICIES = {
    "aws_iam_role": "assume_role_policy",
    "aws_iam_role_policy": "policy",
    "aws_kms_key": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_sns_topic_policy": "policy",
}


def _bucket(address: str) -> str:
    """The storage bucket (event_logs, ..., access_logs) whose modules/s3_bucket instance holds ``address``."""
    match = re.match(r'module\.storage\.module\.(?:bucket\["([a-z_]+)"\]|(access_logs))\.', address)
    assert match, f"{address} is not a storage bucket's configuration"
    return match.group(1) or match.group(2)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition(condition: dict[str, Any] | None) -> str:
    if not condition:
        return ""
    normal = {op: {key: sorted(_as_list(v)) for key, v in body.items()} for op, body in condition.items()}
    return " " + json.dumps(normal, sort_keys=True)


def grants(document: str | dict[str, Any], where: str) -> list[str]:
    """A policy document as sorted "Action Resource [Condition]" lines (one per action and resource)."""
    doc = json.loads(document) if isinstance(document, str) else document
    lines = []
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow", f"{where}: unexpected {statement['Effect']} statement {statement.get('Sid')}"
        assert "NotAction" not in statement and "NotResource" not in statement, f"{where}: {statement.get('Sid')}"
        for action in _as_list(statement["Action"]):
            for resource in _as_list(statement["Resource"]):
                lines.append(f"{action} {resource}{_condition(statement.get('Condition'))}")
    return sorted(lines)


def _kms_grants(plan: plans.Plan, kms: dict[str, list[str]]) -> list[str]:
    lines = []
    for domain, services in kms.items():
        condition = {
            "ForAnyValue:StringEquals": {"kms:ResourceAliases": fill(f"alias/uja-{domain}-{{q}}", plan)},
            "StringEquals": {"kms:ViaService": [fill(f"{s}.{{region}}.amazonaws.com", plan) for s in services]},
        }
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            lines.append(f"{action} {fill('arn:{partition}:kms:{region}:{account}:key/*', plan)}{_condition(condition)}")
    return lines


@pytest.mark.spec("lambda-role-common", "lambda-role-kms", "lambda-role-grants", "lambda-no-put-metric-data", "kms-alias-grants")
@pytest.mark.parametrize("function", ["event_processor", "struggle_detector", "video_analyzer", "intervention_executor"])
def test_function_roles_are_least_privilege(plan: plans.Plan, expected: dict[str, Any], function: str) -> None:
    spec = expected["iam"]
    name = function.replace("_", "-")
    want = fill(spec["common"], plan, function=name) + fill(spec[function]["grants"], plan) + _kms_grants(plan, spec[function]["kms"])
    address = FUNCTION_POLICY.format(function)
    expect_equal(sorted(want), grants(plan.resources[address]["policy"], address), f"{plan.env}: {address}")


@pytest.mark.spec("lambda-xray-vpc")
def test_function_roles_trust_lambda_only(plan: plans.Plan) -> None:
    roles = {a: r for a, r in plan.of_type("aws_iam_role").items() if a.startswith("module.functions.")}
    assert len(roles) == 4
    for address, role in roles.items():
        (statement,) = json.loads(role["assume_role_policy"])["Statement"]
        assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}, address
        assert statement["Action"] == "sts:AssumeRole", address
    # Permissions come only from the inline policies checked here: no managed policy is attached.
    assert not {t for t in plan.counts() if t.startswith("aws_iam") and t.endswith("attachment")}


@pytest.mark.spec("agent-role-grants", "agent-role-trust")
def test_agent_role(plan: plans.Plan, expected: dict[str, Any]) -> None:
    spec = expected["iam"]["agent"]
    model = plan.variables["bedrock_model_id"]
    want = fill(spec["grants"], plan, model=model) + _kms_grants(plan, spec["kms"])
    expect_equal(sorted(want), grants(plan.resources[AGENT_POLICY]["policy"], AGENT_POLICY), f"{plan.env}: agent role policy")
    role = plan.resources["module.agent[0].aws_iam_role.agent"]
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": plan.variables["account_id"]},
        "ArnLike": {"aws:SourceArn": fill("arn:{partition}:bedrock:{region}:{account}:agent/*", plan)},
    }


def test_other_roles_grant_no_wildcards_beyond_the_allowed(plan: plans.Plan, expected: dict[str, Any]) -> None:
    allowed = set(expected["wildcard_actions"])
    for address, policy in plan.of_type("aws_iam_role_policy").items():
        for line in grants(policy["policy"], address):
            action, resource = line.split(" ")[:2]
            assert action != "*" and not action.endswith(":*"), f"{address}: {line}"
            if resource == "*":
                assert action in allowed, f"{address} grants {action} on *"


@pytest.mark.spec("agent-references")
def test_bedrock_may_invoke_the_action_group_executors(plan: plans.Plan) -> None:
    permissions = plan.of_type("aws_lambda_permission")
    assert len(permissions) == 3
    for address, permission in permissions.items():
        assert permission["principal"] == "bedrock.amazonaws.com", address
        assert permission["action"] == "lambda:InvokeFunction", address
        assert permission["source_account"] == plan.variables["account_id"], address
        assert permission["source_arn"] == fill("arn:{partition}:bedrock:{region}:{account}:agent/*", plan), address


@pytest.mark.spec("keys-wiring", "lambda-log-groups", "network-flow-logs", "kinesis-stream")
def test_every_store_uses_its_domain_key(plan: plans.Plan, expected: dict[str, Any]) -> None:
    wrong = {}
    for rule in expected["key_wiring"]:
        for address in plan.of_type(rule["type"]):
            if address in rule.get("except", []):
                continue
            refs = plan.references(address, rule["attribute"])
            keys = {d for d in KEY_DOMAINS if f'module.keys.key_arns["{d}"]' in refs}
            if keys != {rule["key"]}:
                wrong[f"{address} {rule['attribute']}"] = sorted(keys) or sorted(refs)
    expect_equal({}, wrong, f"{plan.env}: stores not wired to their domain key")


@pytest.mark.spec("s3-encryption", "s3-tls-only")
def test_buckets(plan: plans.Plan) -> None:
    for address, block in plan.of_type("aws_s3_bucket_public_access_block").items():
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        assert all(block[f] is True for f in flags), address
    for address, versioning in plan.of_type("aws_s3_bucket_versioning").items():
        assert versioning["versioning_configuration"][0]["status"] == "Enabled", address
    rules = {_bucket(a): r["rule"][0] for a, r in plan.of_type("aws_s3_bucket_server_side_encryption_configuration").items()}
    algorithms = {b: rule["apply_server_side_encryption_by_default"][0]["sse_algorithm"] for b, rule in rules.items()}
    # access-logs: SSE-S3, since S3 log delivery cannot write SSE-KMS targets (the one waiver).
    want = {"event_logs": "aws:kms", "analytics_data": "aws:kms", "artifacts": "aws:kms", "access_logs": "AES256"}
    expect_equal(want, algorithms, f"{plan.env}: bucket encryption")
    assert all(rules[b]["bucket_key_enabled"] for b, algorithm in want.items() if algorithm == "aws:kms")
    # Every bucket but access-logs logs there (the bucket's id is known only after apply).
    logging = plan.of_type("aws_s3_bucket_logging")
    assert sorted(_bucket(a) for a in logging) == ["analytics_data", "artifacts", "event_logs"]
    for address in logging:
        assert 'module.storage.aws_s3_bucket.this["access_logs"]' in plan.references(address, "target_bucket"), address


@pytest.mark.spec("s3-tls-only", "s3-access-logs")
def test_bucket_policies_deny_insecure_transport(plan: plans.Plan) -> None:
    for address, policy in plan.of_type("aws_s3_bucket_policy").items():
        bucket = _bucket(address).replace("_", "-")
        arn = fill(f"arn:{{partition}}:s3:::uja-{bucket}-{{q}}-{{account}}", plan)
        statements = json.loads(policy["policy"])["Statement"]
        deny = [s for s in statements if s["Effect"] == "Deny"]
        assert len(deny) == 1, f"{address}: {deny}"
        # "*" and {"AWS": "*"} are the same principal: everyone.
        assert deny[0]["Principal"] in ("*", {"AWS": "*"}), address
        assert {k: v for k, v in deny[0].items() if k not in ("Sid", "Principal")} == {
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }, address
        allows = [s for s in statements if s["Effect"] == "Allow"]
        if bucket != "access-logs":
            assert not allows, f"{address} allows {allows}"
            continue
        (allow,) = allows
        assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert allow["Action"] == "s3:PutObject"
        assert allow["Resource"] == f"{arn}/*"
        assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": plan.variables["account_id"]}


@pytest.mark.spec("sns-topic-policies")
def test_topic_policies_admit_the_account_and_publishing_services(plan: plans.Plan) -> None:
    root = fill("arn:{partition}:iam::{account}:root", plan)
    services = {}
    for address, policy in plan.of_type("aws_sns_topic_policy").items():
        topic = address.split('"')[1].replace("_", "-")
        arn = fill(f"arn:{{partition}}:sns:{{region}}:{{account}}:uja-{topic}-{{q}}", plan)
        for statement in json.loads(policy["policy"])["Statement"]:
            assert statement["Effect"] == "Allow" and statement["Resource"] == arn, address
            principal = statement["Principal"]
            assert principal != "*" and principal.get("AWS", root) == root, f"{address}: {principal}"
            if "Service" in principal:
                assert statement["Action"] == "sns:Publish", address
                assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": plan.variables["account_id"]}}, address
                services.setdefault(topic, set()).add(principal["Service"])
    # Alarms, EventBridge, Budgets and Cost Anomaly Detection publish to alerts; nothing AWS-side to user-interventions.
    assert services == {"alerts": {"cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"}}


# Where each workload's network placement comes from [3 Network], as the plan's configuration says.
PLACEMENT = {
    "aws_lambda_function": ("vpc_config.subnet_ids", "module.network.private_subnet_ids"),
    "aws_sagemaker_model": ("vpc_config.subnets", "module.network.private_subnet_ids"),
    "aws_sagemaker_notebook_instance": ("subnet_id", "module.network.private_subnet_ids"),
}


@pytest.mark.spec("network-private-placement", "network-gateway-endpoints", "network-interface-endpoints")
def test_workloads_and_endpoints_sit_in_the_private_subnets(plan: plans.Plan) -> None:
    wrong = {}
    for rtype, (attribute, source) in PLACEMENT.items():
        for address in plan.of_type(rtype):
            refs = plan.references(address, attribute)
            if source not in refs:
                wrong[f"{address} {attribute}"] = sorted(refs)
    # ... and the network module's output they read is the private subnets themselves.
    output = plan.configuration["root_module"]["module_calls"]["network"]["module"]["outputs"]["private_subnet_ids"]
    if set(output["expression"].get("references", [])) != {"aws_subnet.private"}:
        wrong["module.network.private_subnet_ids"] = output["expression"].get("references", [])
    for address in plan.of_type("aws_vpc_endpoint"):
        attribute, source = (
            ("route_table_ids", "module.network.aws_route_table.private")
            if ".gateway[" in address
            else ("subnet_ids", "module.network.aws_subnet.private")
        )
        if plan.references(address, attribute) != {source}:
            wrong[f"{address} {attribute}"] = sorted(plan.references(address, attribute))
    expect_equal({}, wrong, f"{plan.env}: placements outside the private subnets")


@pytest.mark.spec("policies-known")
def test_every_policy_is_fully_known_in_the_plan(plan: plans.Plan) -> None:
    documents = {address: v[POLICIES[v["type"]]] for address, v in plan.resources.items() if v["type"] in POLICIES}
    assert len(documents) > 25, f"{plan.env}: only {len(documents)} policy documents"
    # Known means a JSON document in the plan, not "(known after apply)".
    unknown = sorted(address for address, doc in documents.items() if not isinstance(doc, str))
    expect_equal([], unknown, f"{plan.env}: policies known only after apply")
