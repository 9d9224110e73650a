"""The gate on the real terraform/: clean in every environment, and failing on each insecure edit.

The mutation table (tests/support/policy_mutations.py) makes one small insecure edit per policy class
in a temp copy of terraform/ and expects the gate to fail naming the right id. Edits name their exact original text, so a refactor
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
from pathlib import Path

import pytest

from journey_guard.paths import TERRAFORM_DIR
from policies import config, gate, plan_checks, plans, policy_document, waivers
from tests.support.policy_mutations import MUTATIONS, SAFE, Mutation

pytestmark = pytest.mark.slow
TODAY = dt.date.today()


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
