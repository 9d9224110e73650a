"""The gate on the real terraform/: clean in every environment, and failing on each insecure edit.

The mutation table makes one small insecure edit per policy class in a temp copy of terraform/ and
expects the gate to fail naming the right id. Edits name their exact original text, so a refactor
of the Terraform that removes it fails here loudly instead of testing nothing. The subtle forms of
policies/README.md are applied together inside the existing modules (one plan render) and each is
expected on its own resource; their safe counterparts must leave the gate clean, UNKNOWN included.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from journey_guard.paths import TERRAFORM_DIR
from policies import config, gate, plan_checks, plans, policy_document, waivers

pytestmark = pytest.mark.slow
TODAY = dt.date.today()


@dataclass(frozen=True)
class Edit:
    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutation:
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


def _copy(dst: Path) -> Path:
    shutil.copytree(TERRAFORM_DIR, dst, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.tfstate.lock.info"))
    return dst


def _run(mutation: Mutation, root: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(rule id, resource) of every failing finding, and the UNKNOWN ones of the mutated environment."""
    tree = _copy(root / mutation.name / "terraform")
    for edit in mutation.edits:
        path = tree / edit.file
        text = path.read_text()
        assert text.count(edit.old) == 1, f"{mutation.name}: {edit.file} no longer holds {edit.old!r} exactly once"
        path.write_text(text.replace(edit.old, edit.new))
    env = config.load().environments[mutation.env]
    rendered = plans.render(tree, [mutation.env], config.load().plan_tfvars, root / mutation.name / "plans") if mutation.plan else {}
    outcome = gate.run(tree, [env], rendered, TODAY, workers=1, report_unused=False)
    unknown = [f"{f.rule_id} {f.resource}" for f in outcome.unknown if f.unit == mutation.env]
    return sorted({(f.rule_id, f.resource) for f in outcome.failing}), unknown


Outcomes = dict[str, tuple[list[tuple[str, str]], list[str]]]


@pytest.fixture(scope="module")
def mutated(tmp_path_factory: pytest.TempPathFactory) -> Outcomes:
    """Failing ids per mutation; mutations run two at a time (one process each, forked after checkov loaded)."""
    root = tmp_path_factory.mktemp("mutations")
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {m.name: pool.submit(_run, m, root) for m in MUTATIONS}
        return {name: future.result() for name, future in futures.items()}


def test_the_table_covers_every_policy_class() -> None:
    areas = {rule.split("_")[1] for m in MUTATIONS for rule, _ in m.expect}
    assert areas == {"ENC", "KMS", "IAM", "EXP", "REL", "ENV", "GATE"}


EXPECTATIONS = [(m, rule, prefix) for m in MUTATIONS for rule, prefix in m.expect]


@pytest.mark.parametrize(("mutation", "rule", "prefix"), EXPECTATIONS, ids=[f"{m.name}-{r}-{p or 'any'}" for m, r, p in EXPECTATIONS])
def test_the_gate_fails_on_an_insecure_edit_naming_the_right_policy(mutation: Mutation, rule: str, prefix: str, mutated: Outcomes) -> None:
    failing, _ = mutated[mutation.name]
    assert any(r == rule and a.startswith(prefix) for r, a in failing), f"{mutation.name}: gate failed on {failing}"


def test_the_safe_forms_leave_the_gate_clean(mutated: Outcomes) -> None:
    assert mutated[SAFE.name] == ([], [])


@pytest.fixture(scope="module")
def clean_plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], dict[str, Path]]:
    """The clean tree's environment plans and nested-root plans (the bootstrap), as the CLI renders them."""
    tmp = tmp_path_factory.mktemp("clean")
    names = list(config.load().environments)
    rendered = plans.render(TERRAFORM_DIR, names, config.load().plan_tfvars, tmp)
    return rendered, plans.render_roots(TERRAFORM_DIR, gate.nested_roots(TERRAFORM_DIR), config.load().plan_tfvars, tmp)


def test_the_clean_repository_passes_every_environment(clean_plans: tuple[dict[str, Path], dict[str, Path]]) -> None:
    environments = list(config.load().environments.values())
    rendered, roots = clean_plans
    assert set(roots) == {"bootstrap"}, "the bootstrap is planned (hermetic render_root)"
    outcome = gate.run(TERRAFORM_DIR, environments, rendered, TODAY, root_plans=roots)
    assert [(f.environment, f.rule_id, f.resource) for f in outcome.failing] == []
    assert [(f.unit, f.rule_id, f.resource) for f in outcome.unknown] == [], "--strict: the clean tree has no UNKNOWN"
    assert outcome.units == ["dev", "staging", "prod", "bootstrap"]
    # The whole-plan checks have something to judge in every environment's plan: proof they ran.
    for result in outcome.results[:3]:
        assert {c.rule.id for c in plan_checks.PLAN_CHECKS} <= result.ran, result.environment
    # Waivers are the exception: exactly the reviewed entries of policies/waivers.yaml accept findings.
    reviewed = {(w["id"], w["resource"]) for w in waivers.load()}
    assert {(f.rule_id, f.resource) for f in outcome.findings if f.waiver} == reviewed


def test_every_wildcard_allow_pair_is_used_by_the_tree(clean_plans: tuple[dict[str, Path], dict[str, Path]]) -> None:
    """An allow-list entry nothing needs is a standing exception: every (action, resource) pair must be granted somewhere."""
    rendered, roots = clean_plans
    granted = set()
    for path in [*rendered.values(), *roots.values()]:
        for change in json.loads(path.read_text()).get("resource_changes", []):
            after = (change.get("change") or {}).get("after") or {}
            for st in policy_document.parse(after.get("policy")) or []:
                granted |= {(a, r) for a in st.actions for r in st.resources if st.allows}
    cfg = config.load()
    unused = [(p.action, p.resource) for p in cfg.wildcard_allow if not any(p.allows(a, r) for a, r in granted)]
    assert unused == []
