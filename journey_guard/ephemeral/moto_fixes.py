"""moto's boundary fixes: each a documented adjustment of moto at its edge (a response shape, a hook
it runs on its own); none rewrites a service.

The server wrapper (:mod:`journey_guard.ephemeral.moto_server`) applies every fix in :data:`FIXES`
in its child process, before it serves; moto is imported only inside a fix, so this module stays
importable in the policy environment. Each fix names the upstream moto issue (or says none is
filed) and has a unit test in ``tests/unit/harness/test_moto_server.py``; ``docs/integration.md``
has one row per fix (``python -m journey_guard.ephemeral.moto_server fixes`` lists them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BoundaryFix:
    """One documented adjustment of moto, applied in the server process before it serves."""

    name: str
    problem: str
    upstream: str
    apply: Callable[[str], None] = field(repr=False)  # receives the server's "host:port"


def _esm_hooks_off(_address: str) -> None:
    # moto attaches every event source mapping to its queue/stream and invokes the function itself
    # on each SendMessage/PutRecord (deleting or re-queueing the messages). Lambda's pollers are
    # what journey_guard.ephemeral.emulator emulates, so the mapping is kept (API, Terraform state) but never
    # attached: moto's queues and streams then behave like plain queues and streams.
    from moto.awslambda.models import LambdaBackend
    from moto.dynamodb.models import dynamodb_backends
    from moto.kinesis.models import kinesis_backends
    from moto.sqs.models import sqs_backends

    original = LambdaBackend.create_event_source_mapping
    if getattr(original, "_journey_guard", False):
        return

    def create_event_source_mapping(self: LambdaBackend, spec: dict):  # type: ignore[no-untyped-def]
        esm = original(self, spec)
        for queue in sqs_backends[self.account_id][self.region_name].queues.values():
            queue.lambda_event_source_mappings.pop(esm.function_arn, None)
        for stream in kinesis_backends[self.account_id][self.region_name].streams.values():
            stream.lambda_event_source_mappings.pop(esm.event_source_arn, None)
        for table in dynamodb_backends[self.account_id][self.region_name].tables.values():
            table.lambda_event_source_mappings.pop(esm.function_arn, None)
        return esm

    create_event_source_mapping._journey_guard = True  # type: ignore[attr-defined]
    LambdaBackend.create_event_source_mapping = create_event_source_mapping  # type: ignore[method-assign]


def _lambda_without_docker(_address: str) -> None:
    # Same effect as POST /moto-api/config {"lambda": {"use_docker": false}}, but before the first
    # request, so no function is ever created against the Docker backend (none exists in CI).
    from moto.core.config import default_user_config

    default_user_config["lambda"] = {"use_docker": False}


def _timestream_endpoint_is_this_server(address: str) -> None:
    # Timestream clients must call DescribeEndpoints and send every later call to the address it
    # returns; moto answers with the real AWS host, so the SDK leaves the emulator. Answer with
    # this server's own address instead.
    from moto.timestreamwrite.models import TimestreamWriteBackend

    def describe_endpoints(self: TimestreamWriteBackend) -> dict[str, list[dict[str, object]]]:
        return {"Endpoints": [{"Address": f"http://{address}", "CachePeriodInMinutes": 1440}]}

    TimestreamWriteBackend.describe_endpoints = describe_endpoints  # type: ignore[method-assign]


def _s3_logging_target_policy_with_string_principal(_address: str) -> None:
    # PutBucketLogging checks the target bucket's policy for a statement admitting the logging
    # service, calling .get("Service") on every statement's Principal. A statement with
    # "Principal": "*" (what the provider stores for {AWS = "*"}, e.g. a TLS-only deny) makes that
    # an AttributeError, answered as HTTP 500, which the provider retries until it times out.
    # Such a statement never admits the logging service, so the check skips it.
    import json
    from types import SimpleNamespace

    from moto.s3.models import FakeBucket

    original = FakeBucket._log_permissions_enabled_policy
    if getattr(original, "_journey_guard", False):
        return

    def check(target_bucket: FakeBucket, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        policy = json.loads(target_bucket.policy.decode())
        statements = policy.get("Statement", [])
        policy["Statement"] = [
            st for st in (statements if isinstance(statements, list) else [statements]) if isinstance(st.get("Principal"), dict)
        ]
        view = SimpleNamespace(policy=json.dumps(policy).encode(), partition=target_bucket.partition, name=target_bucket.name)
        return original(view, target_prefix)

    check._journey_guard = True  # type: ignore[attr-defined]
    FakeBucket._log_permissions_enabled_policy = staticmethod(check)  # type: ignore[method-assign]


def _unmatched_condition_is_not_a_deny(_address: str) -> None:
    # moto's policy evaluator gets two things wrong about conditions: a condition key the request
    # carries no value for counts as matching (so S3's TLS-only "Deny if aws:SecureTransport =
    # false" denies every request), and a statement whose condition does not match answers DENIED
    # even when it is an Allow. In IAM, a statement applies only when its condition matches; a
    # missing key matches only with an ...IfExists operator or Null. Otherwise: NEUTRAL.
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    original = IAMPolicyStatement.is_action_permitted
    if getattr(original, "_journey_guard", False):
        return

    def applies(condition: dict[str, dict[str, object]], values: dict[str, str]) -> bool:
        for operator, keys in condition.items():
            if operator.endswith("IfExists") or operator == "Null":
                continue
            if any(key not in values for key in keys):
                return False
        return True

    def is_action_permitted(
        self: IAMPolicyStatement,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        condition = self._statement.get("Condition")
        values = incoming_condition_values or {}
        if condition and (not applies(condition, values) or not self._check_conditions(values)):
            return PermissionResult.NEUTRAL
        return original(self, action, resource, principal, incoming_condition_values)

    is_action_permitted._journey_guard = True  # type: ignore[attr-defined]
    IAMPolicyStatement.is_action_permitted = is_action_permitted  # type: ignore[method-assign]


def _once(owner: object, name: str, replacement: Callable[..., object]) -> None:
    """Install ``replacement`` as ``owner.name`` unless a fix already did (fixes are idempotent)."""
    if getattr(getattr(owner, name), "_journey_guard", False):
        return
    replacement._journey_guard = True  # type: ignore[attr-defined]
    setattr(owner, name, replacement)


def _lambda_kms_key_arn(_address: str) -> None:
    # CreateFunction/UpdateFunctionConfiguration accept KMSKeyArn (the environment-variable key)
    # but GetFunction never returns it, so every plan after apply wants to set it again.
    from moto.awslambda.models import LambdaFunction

    init, configuration, update = LambdaFunction.__init__, LambdaFunction.get_configuration, LambdaFunction.update_configuration

    def __init__(self: LambdaFunction, account_id: str, spec: dict, region: str, version: str | int = 1) -> None:  # type: ignore[type-arg]
        init(self, account_id, spec, region, version)
        self.journey_guard_kms_key_arn = spec.get("KMSKeyArn")

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict:  # type: ignore[type-arg]
        config = configuration(self, on_create)
        if getattr(self, "journey_guard_kms_key_arn", None):
            config["KMSKeyArn"] = self.journey_guard_kms_key_arn
        return config

    def update_configuration(self: LambdaFunction, config_updates: dict) -> dict:  # type: ignore[type-arg]
        if "KMSKeyArn" in config_updates:
            self.journey_guard_kms_key_arn = config_updates["KMSKeyArn"] or None
        return update(self, config_updates)

    _once(LambdaFunction, "__init__", __init__)
    _once(LambdaFunction, "get_configuration", get_configuration)
    _once(LambdaFunction, "update_configuration", update_configuration)


def _sqs_redrive_policy_compact(_address: str) -> None:
    # GetQueueAttributes re-serialises RedrivePolicy with json.dumps' default ", " and ": "; SQS
    # returns the compact form it was given, and the provider's state then differs from the
    # configuration's jsonencode() on every plan ("whitespace changes").
    import json

    from moto.sqs.models import Queue

    attributes = Queue.attributes.fget  # type: ignore[attr-defined]

    def compact(self: Queue) -> dict:  # type: ignore[type-arg]
        result = attributes(self)
        if result.get("RedrivePolicy"):
            result["RedrivePolicy"] = json.dumps(json.loads(result["RedrivePolicy"]), separators=(",", ":"))
        return result

    if not getattr(attributes, "_journey_guard", False):
        compact._journey_guard = True  # type: ignore[attr-defined]
        Queue.attributes = property(compact)  # type: ignore[assignment,method-assign]


def _kinesis_create_stream_tags(_address: str) -> None:
    # CreateStream's Tags parameter is ignored, so a stream created with tags has none.
    from moto.kinesis.responses import KinesisResponse

    create = KinesisResponse.create_stream

    def create_stream(self: KinesisResponse):  # type: ignore[no-untyped-def]
        result = create(self)
        tags = self._get_param("Tags")
        if tags:
            self.kinesis_backend.add_tags_to_stream(None, self._get_param("StreamName"), tags)
        return result

    _once(KinesisResponse, "create_stream", create_stream)


def _sagemaker_dropped_fields(_address: str) -> None:
    # CreateModel drops EnableNetworkIsolation (always false), CreateNotebookInstance drops
    # PlatformIdentifier and InstanceMetadataServiceConfiguration, and DescribeEndpointConfig
    # returns an empty DataCaptureConfig that was never set: each forces a replacement on re-plan.
    from moto.core.responses import ActionResult
    from moto.sagemaker.models import FakeSagemakerNotebookInstance
    from moto.sagemaker.responses import SageMakerResponse

    create_model, create_notebook = SageMakerResponse.create_model, SageMakerResponse.create_notebook_instance
    describe_endpoint_config, notebook_to_dict = SageMakerResponse.describe_endpoint_config, FakeSagemakerNotebookInstance.to_dict

    def create_model_kept(self: SageMakerResponse):  # type: ignore[no-untyped-def]
        result = create_model(self)
        model = self.sagemaker_backend.describe_model(self._get_param("ModelName"))
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation", False))
        return result

    def create_notebook_kept(self: SageMakerResponse):  # type: ignore[no-untyped-def]
        result = create_notebook(self)
        notebook = self.sagemaker_backend.get_notebook_instance(self._get_param("NotebookInstanceName"))
        notebook.journey_guard_extra = {
            key: self._get_param(key)
            for key in ("PlatformIdentifier", "InstanceMetadataServiceConfiguration")
            if self._get_param(key) is not None
        }
        return result

    def notebook_dict(self: FakeSagemakerNotebookInstance) -> dict:  # type: ignore[type-arg]
        return notebook_to_dict(self) | getattr(self, "journey_guard_extra", {})

    def endpoint_config(self: SageMakerResponse) -> ActionResult:
        # Only the answer changes: moto's CreateEndpoint reads the stored dict's DataCaptureConfig.
        response = dict(describe_endpoint_config(self).result)  # type: ignore[call-overload]
        if not response.get("DataCaptureConfig"):
            response.pop("DataCaptureConfig", None)
        return ActionResult(response)

    _once(SageMakerResponse, "create_model", create_model_kept)
    _once(SageMakerResponse, "create_notebook_instance", create_notebook_kept)
    _once(FakeSagemakerNotebookInstance, "to_dict", notebook_dict)
    _once(SageMakerResponse, "describe_endpoint_config", endpoint_config)


FIXES: dict[str, BoundaryFix] = {
    fix.name: fix
    for fix in (
        BoundaryFix(
            "esm-hooks-off",
            "moto invokes Lambda itself for every SQS message and Kinesis record of a mapped source "
            "(receive counts rise, messages reach the DLQ or vanish before the emulator reads them)",
            "none filed for server mode; related: getmoto/moto#9948 (disabled mappings still invoked)",
            _esm_hooks_off,
        ),
        BoundaryFix(
            "lambda-without-docker",
            "Lambda invoke needs Docker unless the server uses its non-Docker backend",
            "documented moto behaviour (POST /moto-api/config), not a bug",
            _lambda_without_docker,
        ),
        BoundaryFix(
            "timestream-endpoint-discovery",
            "DescribeEndpoints returns ingest.timestream.<region>.amazonaws.com, so SDKs that follow "
            "endpoint discovery (the Terraform provider) leave the moto server",
            "none filed; moto's own comment in timestreamwrite/models.py hard-codes the AWS host",
            _timestream_endpoint_is_this_server,
        ),
        BoundaryFix(
            "s3-logging-string-principal",
            "PutBucketLogging answers HTTP 500 when the target bucket's policy has a statement with "
            'Principal "*" (AttributeError in the permission check); the provider retries until it times out',
            "none filed; moto/s3/models.py FakeBucket._log_permissions_enabled_policy assumes a dict Principal",
            _s3_logging_target_policy_with_string_principal,
        ),
        BoundaryFix(
            "unmatched-condition-is-not-a-deny",
            "policy conditions: a key the request lacks counts as matching and an unmatched condition "
            "is an explicit deny (S3 PutObject is refused by a TLS-only bucket policy; conditional Allows deny)",
            "none filed; moto/iam/access_control.py IAMPolicyStatement.is_action_permitted treats missing keys as matching and a mismatch as DENIED",
            _unmatched_condition_is_not_a_deny,
        ),
        BoundaryFix(
            "lambda-kms-key-arn",
            "GetFunction omits KMSKeyArn, so the re-plan after apply updates every function",
            "none filed; moto/awslambda/models.py LambdaFunction.get_configuration has no KMSKeyArn",
            _lambda_kms_key_arn,
        ),
        BoundaryFix(
            "sqs-redrive-policy-compact",
            "GetQueueAttributes re-serialises RedrivePolicy with spaces; the re-plan shows whitespace changes",
            "none filed; moto/sqs/models.py Queue.attributes uses json.dumps defaults",
            _sqs_redrive_policy_compact,
        ),
        BoundaryFix(
            "kinesis-create-stream-tags",
            "CreateStream ignores Tags, so the re-plan adds the stream's tags again",
            "none filed; moto/kinesis/responses.py create_stream does not read Tags",
            _kinesis_create_stream_tags,
        ),
        BoundaryFix(
            "sagemaker-dropped-fields",
            "EnableNetworkIsolation, the notebook's PlatformIdentifier and IMDS configuration are dropped and an "
            "unset DataCaptureConfig is returned empty: the re-plan replaces models, endpoint configs and the notebook",
            "none filed; moto/sagemaker Model hard-codes enable_network_isolation = False",
            _sagemaker_dropped_fields,
        ),
    )
}
