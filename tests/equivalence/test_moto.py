"""The moved blocks on a real state (issue 22): the tree before the refactor
(``equivalence.BASE_REF``) applied on a fresh moto account of its own, then the tree after it
(``REFACTOR_REF``) planned against that state. Only moves, exactly the ones the moved blocks name: no create, update or
destroy; an update of artifact hashes alone (``equivalence.ARTIFACT_HASHES``) is excepted and
listed. What moto does not apply (switches integration.tfvars turns off, the bootstrap) is proven
on hermetic plans: test_plans.py. ``nox -s equivalence``, nightly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from journey_guard.ephemeral import leaks
from journey_guard.ephemeral.account import fresh_account_id, moto_account
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.terraform import equivalence


@pytest.mark.parametrize("env", ["dev"])  # the environment the integration cycle applies by default
def test_the_old_state_plans_as_moves_only(env: str) -> None:
    account_id = fresh_account_id()
    with tempfile.TemporaryDirectory(prefix="uja-equivalence-") as tmp, MotoServer(account_id) as server:
        base = equivalence.export_tree(equivalence.BASE_REF, Path(tmp) / "base")
        refactor = equivalence.export_tree(equivalence.REFACTOR_REF, Path(tmp) / "refactor")
        account = moto_account(server.endpoint_url, account_id)
        old, new = Deployment(account, env, tree=base), Deployment(account, env, tree=refactor)
        try:
            old.prepare()
            old.apply()
            state = old.state()
            new.prepare(create_state_bucket=False)
            plan = new.plan_json("equivalence", always=True)
        finally:
            # The new tree destroys the old state (its moves applied on the way): they must hold there too.
            destroyed = (new if new.workdir else old).destroy()
            old.cleanup(remove_state=False)
        report = leaks.check(account, new.qualifier)
        new.cleanup(remove_state=destroyed and report.clean)
        assert plan is not None
        result = equivalence.check_state_plan(state, plan, refactor)  # reads its moved blocks: before tmp goes
    print(f"{len(result.moved)} moves; artifact-hash updates excepted: {result.artifact_updates or 'none'}")
    assert result.changes == [], "the new tree changes the old state"
    assert result.moved, "nothing moved: BASE_REF is not the tree before the refactor"
    assert result.moved == result.expected_moves
    assert destroyed and report.clean, report.markdown()
