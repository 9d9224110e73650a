"""After ``terraform destroy``: list everything a run created and fail on any survivor.

Two sources, because neither alone is complete: the tagging API (every resource carrying the run's
``run_id`` tag) and per-service listings by the run's qualifier (``uja-<component>-<env>-<suffix>``;
the random suffix makes a substring match safe), which also catch untaggable resources (event
source mappings, IAM policies, dashboards, aliases). KMS keys pending deletion count as gone: AWS
never deletes a key at once. A listing that cannot be performed (the endpoint lacks the API, or
refuses or fails the call) is reported as unchecked and fails the check unless ``ALLOWED_UNCHECKED``
names it with the reason it may be skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from journey_guard.ephemeral.account import Account

# Codes an endpoint answers for an API it does not have (moto: NotImplemented / 404 / 501).
UNIMPLEMENTED = {"NotImplemented", "NotImplementedError", "InvalidAction", "UnknownOperationException", "404", "501"}
GONE_KEY_STATES = {"PendingDeletion", "PendingReplicaDeletion"}
GONE_STATES = {"deleted", "deleting", "Deleting", "DELETING", "shutting-down", "terminated"}

# Listing label -> why the check may pass without it. Empty: moto 5.2.1 (server and in-process)
# and AWS serve every listing below, so any listing that cannot be performed fails the check.
ALLOWED_UNCHECKED: dict[str, str] = {}


@dataclass
class LeakReport:
    survivors: list[str] = field(default_factory=list)
    unchecked: dict[str, str] = field(default_factory=dict)  # listing label -> why it could not be performed
    allowed: dict[str, str] = field(default_factory=lambda: dict(ALLOWED_UNCHECKED))

    @property
    def failed_listings(self) -> list[str]:
        """Listings that could not be performed and are not allowed to be skipped."""
        return sorted(set(self.unchecked) - set(self.allowed))

    @property
    def clean(self) -> bool:
        return not self.survivors and not self.failed_listings

    def markdown(self) -> str:
        lines = [f"- survivors: {len(self.survivors)}"]
        lines += [f"  - `{s}`" for s in self.survivors]
        for label, why in sorted(self.unchecked.items()):
            verdict = f"allowed: {self.allowed[label]}" if label in self.allowed else "fails the check"
            lines.append(f"- unchecked `{label}`: {why} ({verdict})")
        return "\n".join(lines)


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {})
    return str(error.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    else:
        yield from getattr(client, operation)(**kwargs).get(key, [])


class LeakCheck:
    def __init__(self, account: Account, qualifier: str, allowed: dict[str, str] | None = None) -> None:
        self.account = account
        self.qualifier = qualifier
        self.report = LeakReport(allowed=dict(ALLOWED_UNCHECKED if allowed is None else allowed))

    def _mine(self, name: str) -> bool:
        return f"-{self.qualifier}" in name

    def _listing(self, label: str, names: Callable[[], Iterable[str]]) -> None:
        try:
            found = [n for n in names() if self._mine(n)]
        except Exception as exc:  # botocore ClientError, moto's NotImplemented surfaced as one, a transport error
            code = _error_code(exc)
            if code in UNIMPLEMENTED or "not yet implemented" in str(exc).lower():
                self.report.unchecked[label] = f"listing not implemented by the endpoint ({code or type(exc).__name__})"
            else:
                self.report.unchecked[label] = f"listing failed: {code or type(exc).__name__}: {str(exc)[:200]}"
            return
        self.report.survivors += [f"{label}: {n}" for n in found]

    def _kms_gone(self, key_id: str) -> bool:
        state = self.account.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
        return state in GONE_KEY_STATES

    def _nat_gone(self, nat_id: str) -> bool:
        # AWS (and moto) keep a deleted NAT gateway visible, state "deleted", for about an hour.
        gateways = self.account.client("ec2").describe_nat_gateways(NatGatewayIds=[nat_id]).get("NatGateways", [])
        return all(g.get("State") in GONE_STATES for g in gateways)

    def tagged(self) -> None:
        tagging = self.account.client("resourcegroupstaggingapi")
        arns = [
            r["ResourceARN"]
            for r in _pages(
                tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": "run_id", "Values": [self.account.run_id]}]
            )
        ]
        for arn in arns:
            if ":kms:" in arn and ":key/" in arn and self._kms_gone(arn.rsplit("/", 1)[1]):
                continue
            if ":natgateway/" in arn and self._nat_gone(arn.rsplit("/", 1)[1]):
                continue
            self.report.survivors.append(f"tagged: {arn}")

    def listings(self) -> None:
        c = self.account.client
        self._listing("s3", lambda: (b["Name"] for b in c("s3").list_buckets().get("Buckets", [])))
        self._listing("dynamodb", lambda: _pages(c("dynamodb"), "list_tables", "TableNames"))
        self._listing("sqs", lambda: (u.rsplit("/", 1)[1] for u in c("sqs").list_queues(QueueNamePrefix="uja-").get("QueueUrls", [])))
        self._listing("sns", lambda: (t["TopicArn"] for t in _pages(c("sns"), "list_topics", "Topics")))
        self._listing("kinesis", lambda: _pages(c("kinesis"), "list_streams", "StreamNames"))
        self._listing("lambda", lambda: (f["FunctionName"] for f in _pages(c("lambda"), "list_functions", "Functions")))
        self._listing(
            "lambda-esm", lambda: (m["FunctionArn"] for m in _pages(c("lambda"), "list_event_source_mappings", "EventSourceMappings"))
        )
        self._listing("iam-role", lambda: (r["RoleName"] for r in _pages(c("iam"), "list_roles", "Roles")))
        self._listing("iam-policy", lambda: (p["PolicyName"] for p in _pages(c("iam"), "list_policies", "Policies", Scope="Local")))
        self._listing("logs", lambda: (g["logGroupName"] for g in _pages(c("logs"), "describe_log_groups", "logGroups")))
        self._listing("kms-alias", lambda: (a["AliasName"] for a in _pages(c("kms"), "list_aliases", "Aliases")))
        self._listing("cloudwatch-alarm", lambda: (a["AlarmName"] for a in _pages(c("cloudwatch"), "describe_alarms", "MetricAlarms")))
        self._listing(
            "cloudwatch-dashboard", lambda: (d["DashboardName"] for d in _pages(c("cloudwatch"), "list_dashboards", "DashboardEntries"))
        )
        self._listing("ec2-vpc", lambda: _named_by_tag(c("ec2").describe_vpcs().get("Vpcs", [])))
        self._listing("ec2-subnet", lambda: _named_by_tag(c("ec2").describe_subnets().get("Subnets", [])))
        self._listing("ec2-security-group", lambda: (g["GroupName"] for g in c("ec2").describe_security_groups().get("SecurityGroups", [])))
        self._listing(
            "ec2-nat",
            lambda: _named_by_tag(n for n in c("ec2").describe_nat_gateways().get("NatGateways", []) if n.get("State") not in GONE_STATES),
        )
        self._listing("ec2-eip", lambda: _named_by_tag(c("ec2").describe_addresses().get("Addresses", [])))
        self._listing("sagemaker-model", lambda: (m["ModelName"] for m in _pages(c("sagemaker"), "list_models", "Models")))
        self._listing("sagemaker-endpoint", lambda: (e["EndpointName"] for e in _pages(c("sagemaker"), "list_endpoints", "Endpoints")))
        self._listing(
            "sagemaker-endpoint-config",
            lambda: (e["EndpointConfigName"] for e in _pages(c("sagemaker"), "list_endpoint_configs", "EndpointConfigs")),
        )
        self._listing(
            "sagemaker-notebook",
            lambda: (
                n["NotebookInstanceName"]
                for n in _pages(c("sagemaker"), "list_notebook_instances", "NotebookInstances")
                if n.get("NotebookInstanceStatus") not in GONE_STATES
            ),
        )
        self._listing(
            "sagemaker-pipeline", lambda: (p["PipelineName"] for p in _pages(c("sagemaker"), "list_pipelines", "PipelineSummaries"))
        )
        self._listing("timestream", lambda: (d["DatabaseName"] for d in _pages(c("timestream-write"), "list_databases", "Databases")))
        self._listing("bedrock-agent", lambda: (a["agentName"] for a in _pages(c("bedrock-agent"), "list_agents", "agentSummaries")))
        self._listing(
            "flink", lambda: (a["ApplicationName"] for a in _pages(c("kinesisanalyticsv2"), "list_applications", "ApplicationSummaries"))
        )
        self._listing(
            "budgets",
            lambda: (b["BudgetName"] for b in _pages(c("budgets"), "describe_budgets", "Budgets", AccountId=self.account.account_id)),
        )

    def run(self) -> LeakReport:
        self.tagged()
        self.listings()
        return self.report


def _named_by_tag(resources: Iterable[dict[str, Any]]) -> Iterator[str]:
    for resource in resources:
        tags = {t["Key"]: t["Value"] for t in resource.get("Tags", [])}
        yield tags.get("Name", "")


def check(account: Account, qualifier: str, allowed: dict[str, str] | None = None) -> LeakReport:
    """Every survivor of the run with this qualifier (and the account's run_id tag), and every
    listing that could not be performed; ``allowed`` (default ``ALLOWED_UNCHECKED``) names the
    listings that may be skipped, with why."""
    return LeakCheck(account, qualifier, allowed).run()
