"""The gate on the real terraform/: clean in every environment, and failing on each insecure edit.

The mutation table makes one small insecure edit per policy class in a temp copy of terraform/ and
expects the gate to fail naming the right id. Edits name their exact original text, so a refactor
of the Terraform that removes it fails here loudly instead of testing nothing.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from journey_guard.paths import TERRAFORM_DIR
from policies import config, gate, plan_checks, plans, waivers

pytestmark = pytest.mark.slow
TODAY = dt.date.today()


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    env: str
    expect: str
    plan: bool = False  # IAM and bucket policies built from locals are only fully known in the plan


MUTATIONS = [
    Mutation(
        "kinesis-plaintext", "modules/streaming/main.tf", 'encryption_type  = "KMS"', 'encryption_type  = "NONE"', "dev", "UJA_ENC_003"
    ),
    Mutation(
        "kms-no-rotation", "modules/keys/main.tf", "enable_key_rotation     = true", "enable_key_rotation     = false", "dev", "UJA_KMS_001"
    ),
    Mutation(
        "s3-plain-http-allowed",
        "modules/storage/main.tf",
        'Condition = { Bool = { "aws:SecureTransport" = "false" } }',
        'Condition = { Bool = { "aws:SecureTransport" = "true" } }',
        "dev",
        "UJA_ENC_011",
        plan=True,
    ),
    Mutation(
        "lambda-xray-star",
        "modules/functions/main.tf",
        'actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]',
        'actions   = ["xray:*"]',
        "dev",
        "UJA_IAM_001",
        plan=True,
    ),
    Mutation(
        "s3-public-policy",
        "modules/storage/main.tf",
        "block_public_policy     = true",
        "block_public_policy     = false",
        "dev",
        "UJA_EXP_001",
    ),
    Mutation(
        "notebook-internet",
        "modules/ml/main.tf",
        'direct_internet_access = "Disabled"',
        'direct_internet_access = "Enabled"',
        "dev",
        "UJA_EXP_005",
    ),
    Mutation(
        "stream-no-bisect",
        "modules/functions/main.tf",
        "bisect_batch_on_function_error     = true",
        "bisect_batch_on_function_error     = false",
        "dev",
        "UJA_REL_001",
    ),
    Mutation(
        "prod-two-shards",
        "environments/prod.tfvars",
        "kinesis_shard_count                = 4",
        "kinesis_shard_count                = 2",
        "prod",
        "UJA_ENV_005",
    ),
    Mutation(
        "prod-unprotected-tables",
        "environments/prod.tfvars",
        "deletion_protection                = true",
        "deletion_protection                = false",
        "prod",
        "UJA_ENV_002",
    ),
    Mutation(
        "inline-skip",
        "modules/keys/main.tf",
        "enable_key_rotation     = true",
        "enable_key_rotation     = true # checkov:skip=UJA_KMS_001",
        "dev",
        "UJA_GATE_001",
    ),
]


def _copy(dst: Path) -> Path:
    shutil.copytree(TERRAFORM_DIR, dst, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.tfstate.lock.info"))
    return dst


def _run(mutation: Mutation, root: Path) -> list[str]:
    tree = _copy(root / mutation.name / "terraform")
    path = tree / mutation.file
    text = path.read_text()
    assert text.count(mutation.old) == 1, f"{mutation.name}: {mutation.file} no longer holds {mutation.old!r} exactly once"
    path.write_text(text.replace(mutation.old, mutation.new))
    env = config.load().environments[mutation.env]
    rendered = plans.render(tree, [mutation.env], config.load().plan_tfvars, root / mutation.name / "plans") if mutation.plan else {}
    outcome = gate.run(tree, [env], rendered, TODAY, workers=1, report_unused=False)
    return sorted({f.rule_id for f in outcome.failing})


@pytest.fixture(scope="module")
def mutated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Failing ids per mutation; mutations run two at a time (one process each, forked after checkov loaded)."""
    root = tmp_path_factory.mktemp("mutations")
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {m.name: pool.submit(_run, m, root) for m in MUTATIONS}
        return {name: future.result() for name, future in futures.items()}


def test_the_table_covers_every_policy_class() -> None:
    areas = {m.expect.split("_")[1] for m in MUTATIONS}
    assert areas == {"ENC", "KMS", "IAM", "EXP", "REL", "ENV", "GATE"}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_the_gate_fails_on_an_insecure_edit_naming_the_right_policy(mutation: Mutation, mutated: dict[str, list[str]]) -> None:
    assert mutation.expect in mutated[mutation.name], f"{mutation.name}: gate failed on {mutated[mutation.name]}"


def test_the_clean_repository_passes_every_environment(tmp_path: Path) -> None:
    environments = list(config.load().environments.values())
    rendered = plans.render(TERRAFORM_DIR, [e.name for e in environments], config.load().plan_tfvars, tmp_path)
    outcome = gate.run(TERRAFORM_DIR, environments, rendered, TODAY)
    assert [(f.environment, f.rule_id, f.resource) for f in outcome.failing] == []
    assert outcome.units == ["dev", "staging", "prod", "bootstrap"]
    # The whole-plan checks have something to judge in every environment's plan: proof they ran.
    for result in outcome.results[:3]:
        assert {c.rule.id for c in plan_checks.PLAN_CHECKS} <= result.ran, result.environment
    # Waivers are the exception: exactly the reviewed entries of policies/waivers.yaml accept findings.
    reviewed = {(w["id"], w["resource"]) for w in waivers.load()}
    assert {(f.rule_id, f.resource) for f in outcome.findings if f.waiver} == reviewed
