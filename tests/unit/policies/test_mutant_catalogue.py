"""The mutant catalogue (tests/mutants/) against the policy catalogue: an insecure edit per policy id.

"Policy id" = every UJA_ id plus each built-in checkov check that passes a resource of the tree
(on the HCL of any environment or of a nested root). The quick mutation table of
tests/support/policy_mutations.py is a subset of the catalogue, entry for entry.
"""

from __future__ import annotations

import pytest

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.quality import mutants
from policies import config, gate
from policies.base import CATALOG
from tests.support.policy_mutations import MUTATIONS

pytestmark = pytest.mark.slow

# Built-in checks that pass a resource of the tree and have no mutant yet, each with what blocks one.
# The test fails when a check here gets a mutant (remove it) or a new passing check has none.
NOT_YET_MUTATED = {
    "CKV2_AWS_6": "checkov links the bucket to its public access block through the graph: an edit must drop the block",
    "CKV2_AWS_16": "DynamoDB auto scaling: on-demand tables pass; an edit must switch billing mode",
    "CKV2_AWS_19": "EIP attachment: an edit must detach a NAT gateway's EIP",
    "CKV2_AWS_35": "route table routes: an edit must route to an instance",
    "CKV2_AWS_40": "IAM full-access policies: an edit must grant iam:*",
    "CKV2_AWS_44": "route table routes: an edit must route to a peering connection",
    "CKV2_AWS_56": "managed IAMFullAccess attachments on the bootstrap role",
    "CKV2_AWS_61": "lifecycle configuration linked to each bucket through the graph",
    "CKV2_AWS_64": "KMS key policy presence: the policy is one jsonencode() spanning many lines",
    "CKV2_AWS_68": "SageMaker notebook in a subnet through the graph",
    "CKV2_AWS_75": "Lambda CORS on function URLs (none in the tree)",
    "CKV_AWS_18": "S3 access logging linked through aws_s3_bucket_logging in the graph",
    "CKV_AWS_19": "S3 encryption linked through the SSE configuration in the graph",
    "CKV_AWS_20": "S3 ACLs: the tree sets none; an edit must add a public-read ACL",
    "CKV_AWS_41": "provider credentials: the hermetic provider block would have to carry a key",
    "CKV_AWS_57": "S3 public-write ACL (the tree sets none)",
    "CKV_AWS_93": "S3 bucket policy locking out everyone",
    "CKV_AWS_168": "SQS queue policy (the tree has none)",
    "CKV_AWS_274": "AdministratorAccess attached to a role (IAM_004's edit attaches it through a separate resource)",
    "CKV_AWS_277": "security group ingress from 0.0.0.0/0 to every port",
    "CKV_AWS_358": "GitHub OIDC trust (none in the tree)",
    "CKV_AWS_393": "role trust for every AWS principal",
    # Edits tried (nox -s mutants) that failed nothing: checkov judges these on values it cannot see
    # through the module's variables and locals, or its check accepts the edit.
    "CKV_AWS_23": "an empty security group description did not fail it",
    "CKV_AWS_24": "ingress from 0.0.0.0/0 on 443 through aws_vpc_security_group_ingress_rule did not fail it",
    "CKV_AWS_25": "ingress from 0.0.0.0/0 on 443 through aws_vpc_security_group_ingress_rule did not fail it",
    "CKV_AWS_33": "Principal AWS * in a key policy built in locals failed UJA_KMS_002 only",
    "CKV_AWS_45": "an access key in the function environment (a merge() of locals) did not fail it",
    "CKV_AWS_50": "tracing mode PassThrough did not fail it",
    "CKV_AWS_119": "a null kms_key_arn with encryption on failed UJA_ENC_002 only",
    "CKV_AWS_173": "a null kms_key_arn failed UJA_ENC_009 only",
    "CKV_AWS_260": "ingress from 0.0.0.0/0 on 443 did not fail it (it looks at port 80)",
    "CKV_AWS_283": "Action * on Resource * failed CKV_AWS_1/49/107/108/110 but not it",
    "CKV_AWS_363": "runtime python3.8 did not fail it",
    "CKV_AWS_382": "egress ip_protocol -1 through aws_vpc_security_group_egress_rule did not fail it",
    "CKV2_AWS_11": "flow logs on REJECT traffic only did not fail it",
    "CKV_AWS_185": "an AWS-managed key (kms_key_id alias/aws/kinesis) failed UJA_ENC_003 only",
    "CKV_AWS_364": "dropping the Bedrock permission's source_account failed UJA_EXP_003 only",
    "CKV_AWS_169": "Principal * in the topic policy (jsonencode over locals) failed UJA_EXP_004 only",
    "CKV_AWS_385": "Principal * in the topic policy (jsonencode over locals) failed UJA_EXP_004 only",
    "CKV_AWS_61": "Principal AWS * in the flow-logs role trust failed CKV_AWS_60 only",
}
# UJA_ policies without a mutant yet, each with what blocks one (none today).
UJA_NOT_YET_MUTATED: dict[str, str] = {}


@pytest.fixture(scope="module")
def passing_builtins() -> set[str]:
    """Built-in checks that pass at least one resource of the tree, over every environment and nested root."""
    envs: list[config.EnvironmentRules | None] = list(config.load().environments.values())
    reports = [r for env in envs for r in gate.hcl_reports(TERRAFORM_DIR, env)]
    reports += [r for root in gate.nested_roots(TERRAFORM_DIR) for r in gate.hcl_reports(TERRAFORM_DIR / root, None)]
    return {record.check_id for report in reports for record in report.passed_checks if not record.check_id.startswith("UJA_")}


def _covered() -> set[str]:
    return {policy for m in mutants.load() if m.layer == "policy" for policy in m.policy}


def test_every_uja_policy_has_a_mutant() -> None:
    covered = _covered()
    missing = sorted(set(CATALOG) - covered - set(UJA_NOT_YET_MUTATED))
    assert missing == [], f"UJA_ policies without an insecure edit in tests/mutants/: {missing}"
    assert sorted(set(UJA_NOT_YET_MUTATED) & covered) == [], "mutated now: remove from UJA_NOT_YET_MUTATED"


def test_every_builtin_check_that_passes_a_resource_has_a_mutant(passing_builtins: set[str]) -> None:
    covered = _covered()
    assert sorted(passing_builtins - covered - set(NOT_YET_MUTATED)) == [], "built-in checks without a mutant"
    assert sorted(set(NOT_YET_MUTATED) & covered) == [], "mutated now: remove from NOT_YET_MUTATED"
    assert sorted(set(NOT_YET_MUTATED) - passing_builtins) == [], "no longer passing a resource: remove from NOT_YET_MUTATED"


def test_the_quick_table_is_part_of_the_catalogue() -> None:
    # The table's single edits that the catalogue names alike must be the same edit, expecting the same id.
    catalogue = {m.id: m for m in mutants.load()}
    shared = [q for q in MUTATIONS if q.name in catalogue and len(q.edits) == 1]
    assert len(shared) >= 10, [q.name for q in shared]
    for quick in shared:
        (edit,) = quick.edits
        entry = catalogue[quick.name]
        assert (entry.file, entry.text, entry.replacement, entry.env or quick.env) == (
            f"terraform/{edit.file}",
            edit.old,
            edit.new,
            quick.env,
        )
        assert {rule for rule, _ in quick.expect} <= set(entry.policy), quick.name
