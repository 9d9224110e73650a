"""The insecure edits of terraform/ the policy gate must fail on, each naming the policy id (and the
address) it expects, and their safe counterparts: run by tests/unit/policies/test_repository.py, and a
subset of the mutation catalogue (tests/unit/policies/test_mutant_catalogue.py).

Edits name their exact original text, so a refactor of the Terraform that removes it fails loudly
instead of testing nothing. The subtle forms of policies/README.md are applied together inside the
existing modules (one plan render) and each is expected on its own resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Edit(NamedTuple):
    """``old``, which ``file`` (under terraform/) must hold exactly once, replaced by ``new``."""

    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutation:
    """Edits applied together to a copy of terraform/, and the findings the gate must then report in ``env``."""

    name: str
    edits: tuple[Edit, ...]
    env: str
    expect: tuple[tuple[str, str], ...]  # (rule id, address prefix) each; () = a safe edit: no finding, no UNKNOWN
    plan: bool = False  # IAM and bucket policies built from locals are only fully known in the plan


def single(name: str, file: str, old: str, new: str, env: str, expect: str, plan: bool = False) -> Mutation:
    return Mutation(name, (Edit(file, old, new),), env, ((expect, ""),), plan)


KEYS, TOPICS, FUNCTIONS, ML = "modules/keys/main.tf", "modules/messaging/main.tf", "modules/functions/main.tf", "modules/ml/main.tf"
ACCOUNT_ROOT = 'Principal = { AWS = "arn:${var.context.partition}:iam::${var.context.account_id}:root" }'
TOPIC_ACCOUNT = 'Condition = { StringEquals = { "aws:PrincipalAccount" = var.context.account_id } }'
KEY_SOURCE_ACCOUNT = (
    'StringEquals = { "aws:SourceAccount" = var.context.account_id }\n        ArnLike      = { "aws:SourceArn" = p.source_arn }'
)
STORAGE = "modules/storage/main.tf"
BUCKET_SOURCE_ACCOUNT = 'StringEquals = { "aws:SourceAccount" = var.context.account_id }'
# The subtle forms (policies/README.md), each edit inside an existing module, each expected on its own resource.
SUBTLE = Mutation(
    "subtle-forms",
    (
        Edit(TOPICS, ACCOUNT_ROOT, 'Principal = "*"'),
        Edit(TOPICS, TOPIC_ACCOUNT, TOPIC_ACCOUNT.replace("StringEquals", "StringEqualsIfExists")),
        Edit(
            TOPICS,
            'Condition = { StringEquals = { "aws:SourceAccount" = var.context.account_id } }',
            'Condition = { StringLike = { "aws:SourceAccount" = "*" } }',
        ),
        Edit(KEYS, "Principal = { AWS = local.account_root }", "NotPrincipal = { AWS = local.account_root }"),
        Edit(KEYS, "${var.context.account_id}:log-group:*", "*:log-group:*"),
        Edit(
            KEYS,
            KEY_SOURCE_ACCOUNT,
            KEY_SOURCE_ACCOUNT.replace("StringEquals", "StringEqualsIfExists").replace("ArnLike      =", "ArnLikeIfExists ="),
        ),
        Edit(STORAGE, BUCKET_SOURCE_ACCOUNT, BUCKET_SOURCE_ACCOUNT.replace("StringEquals", "StringEqualsIfExists")),
        Edit(STORAGE, "[for key in keys(local.logged) : local.bucket_arns[key]]", '"arn:${var.context.partition}:s3:::*"'),
        Edit("modules/agent/main.tf", "  source_account = var.context.account_id\n  source_arn     = local.agent_arn_pattern\n", ""),
        Edit(FUNCTIONS, 'actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]', 'actions   = ["xray:Put*"]'),
        Edit(FUNCTIONS, "log-group:${local.log_group_names[each.key]}:*", "log-group:*"),
        Edit(ML, "${var.context.account_id}:processing-job/*", "*:processing-job/*"),
        Edit(ML, 'actions   = ["ecr:GetAuthorizationToken"]', 'actions   = ["ecr:GetAuthorization*"]'),
        Edit("modules/network/main.tf", 'Resource = ["${local.flow_log_group_arn}:*"]', 'NotResource = ["${local.flow_log_group_arn}:*"]'),
        Edit("modules/network/main.tf", 'Action   = ["logs:CreateLogStream"', 'NotAction = ["logs:CreateLogStream"'),
    ),
    "dev",
    (
        ("UJA_EXP_004", "module.messaging.aws_sns_topic_policy.this"),  # Principal * with an IfExists account condition
        ("UJA_EXP_006", "module.messaging.aws_sns_topic_policy.this"),  # service publisher, SourceAccount "*"
        ("UJA_EXP_004", "module.keys.aws_kms_key.this"),  # Allow with NotPrincipal
        ("UJA_EXP_006", 'module.keys.aws_kms_key.this["logs"]'),  # logs encryption context open to any account
        ("UJA_EXP_006", 'module.keys.aws_kms_key.this["events"]'),  # publishers' source conditions with IfExists
        ("UJA_EXP_006", "module.storage.module.access_logs.aws_s3_bucket_policy.this"),  # log delivery from any bucket
        ("UJA_EXP_003", "module.agent"),  # Bedrock permission without source account / ARN
        ("UJA_IAM_001", "module.functions.aws_iam_role_policy.this"),  # xray:Put*
        ("UJA_IAM_002", "module.functions.aws_iam_role_policy.this"),  # log-group:* (every log group)
        ("UJA_IAM_002", "module.ml.aws_iam_role_policy.execution"),  # allow-listed pair widened to any account
        ("UJA_IAM_001", "module.ml.aws_iam_role_policy.execution"),  # ecr:GetAuthorization*
        ("UJA_IAM_002", "module.network.aws_iam_role_policy.flow_logs"),  # Allow with NotResource
        ("UJA_IAM_001", "module.network.aws_iam_role_policy.flow_logs"),  # Allow with NotAction
    ),
    plan=True,
)
# Their safe counterparts: the gate must stay clean.
SAFE = Mutation(
    "safe-forms",
    (
        Edit(TOPICS, ACCOUNT_ROOT, 'Principal = "*"'),  # * pinned by aws:PrincipalAccount
        Edit(KEYS, 'StringEquals = { "aws:SourceAccount" = var.context.account_id }\n', ""),  # aws:SourceArn in the account suffices
        Edit(STORAGE, BUCKET_SOURCE_ACCOUNT, '"ForAnyValue:StringEquals" = { "aws:SourceAccount" = [var.context.account_id] }'),
    ),
    "dev",
    (),
    plan=True,
)

MUTATIONS = [
    single("kinesis-plaintext", "modules/streaming/main.tf", 'encryption_type  = "KMS"', 'encryption_type  = "NONE"', "dev", "UJA_ENC_003"),
    single(
        "kms-no-rotation", "modules/keys/main.tf", "enable_key_rotation     = true", "enable_key_rotation     = false", "dev", "UJA_KMS_001"
    ),
    single(
        "s3-plain-http-allowed",
        "modules/s3_bucket/main.tf",
        'Condition = { Bool = { "aws:SecureTransport" = "false" } }',
        'Condition = { Bool = { "aws:SecureTransport" = "true" } }',
        "dev",
        "UJA_ENC_011",
        plan=True,
    ),
    single(
        "lambda-xray-star",
        "modules/functions/main.tf",
        'actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]',
        'actions   = ["xray:*"]',
        "dev",
        "UJA_IAM_001",
        plan=True,
    ),
    single(
        "s3-public-policy",
        "modules/s3_bucket/main.tf",
        "block_public_policy     = true",
        "block_public_policy     = false",
        "dev",
        "UJA_EXP_001",
    ),
    single(
        "notebook-internet",
        "modules/ml/main.tf",
        'direct_internet_access = "Disabled"',
        'direct_internet_access = "Enabled"',
        "dev",
        "UJA_EXP_005",
    ),
    single(
        "stream-no-bisect",
        "modules/functions/main.tf",
        "bisect_batch_on_function_error     = true",
        "bisect_batch_on_function_error     = false",
        "dev",
        "UJA_REL_001",
    ),
    single(
        "prod-two-shards",
        "environments/prod.tfvars",
        "kinesis_shard_count                = 4",
        "kinesis_shard_count                = 2",
        "prod",
        "UJA_ENV_005",
    ),
    single(
        "prod-unprotected-tables",
        "environments/prod.tfvars",
        "deletion_protection                = true",
        "deletion_protection                = false",
        "prod",
        "UJA_ENV_002",
    ),
    single(
        "inline-skip",
        "modules/keys/main.tf",
        "enable_key_rotation     = true",
        "enable_key_rotation     = true # checkov:skip=UJA_KMS_001",
        "dev",
        "UJA_GATE_001",
    ),
    SUBTLE,
    SAFE,
]
