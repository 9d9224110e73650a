"""The harness itself: apply / re-plan / destroy / leak check of a small root against its own moto server.

The small cycle needs no build artifacts and shares nothing with the system's: it starts in a
background thread as soon as collection selects it (``conftest.py``), runs beside the system's apply
and scenarios (both mostly wait on provider waiters), and this module, run after the scenarios,
asserts what it observed.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from journey_guard.ephemeral import leaks
from journey_guard.ephemeral.account import Account, fresh_account_id, moto_account
from journey_guard.ephemeral.background import Background
from journey_guard.ephemeral.deploy import DeployError, Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from tests.support.integration import TINY


@dataclass
class SmallCycle:
    """What the small cycle saw, step by step (filled in by ``run``)."""

    account: Account | None = None
    deployment: Deployment | None = None
    outputs: dict | None = None
    replan: list | None = None
    tables: list[str] = field(default_factory=list)
    tagged: list = field(default_factory=list)
    destroyed: bool = False
    report: leaks.LeakReport | None = None
    survivors: list[str] = field(default_factory=list)
    workdir_removed: bool = False

    def run(self) -> SmallCycle:
        account_id = fresh_account_id()
        with MotoServer(account_id) as server, tempfile.TemporaryDirectory(prefix="uja-small-cycle-") as artifacts:
            self.account = account = moto_account(server.endpoint_url, account_id)
            self.deployment = deployment = Deployment(account, "dev", tree=TINY, artifacts_dir=Path(artifacts))
            try:
                deployment.prepare()
                deployment.apply()
                self.outputs = deployment.outputs()
                self.replan = deployment.replan()
                self.tables = account.client("dynamodb").list_tables()["TableNames"]
                tagging = account.client("resourcegroupstaggingapi")
                self.tagged = tagging.get_resources(TagFilters=[{"Key": "run_id", "Values": [account.run_id]}])["ResourceTagMappingList"]
            finally:
                self.destroyed = deployment.destroy()
            self.report = leaks.check(account, deployment.qualifier)
            account.client("s3").create_bucket(Bucket=f"uja-event-logs-{deployment.qualifier}-{account_id}")
            account.client("sqs").create_queue(QueueName="untracked", tags={"run_id": account.run_id})
            self.survivors = leaks.check(account, deployment.qualifier).survivors
            deployment.cleanup(remove_state=True)
            self.workdir_removed = not deployment.workdir.exists()
        return self


# Started by conftest.py once collection selects this module; result() waits for it (or runs it).
SMALL_CYCLE: Background[SmallCycle] = Background("small-cycle", lambda: SmallCycle().run())


@pytest.mark.slow
def test_cycle_applies_replans_empty_destroys_and_finds_planted_leaks() -> None:
    run = SMALL_CYCLE.result()
    assert run.account is not None and run.deployment is not None
    account, deployment = run.account, run.deployment
    assert run.outputs == {"table_name": f"uja-user-events-dev-{account.name_suffix}"}
    assert run.replan == []
    assert run.tables == [f"uja-user-events-dev-{account.name_suffix}"]
    assert run.tagged, "default tags carry the run id"
    assert run.destroyed
    assert [s.name for s in deployment.steps] == ["init", "apply", "replan", "destroy#1"]
    assert run.report is not None and run.report.clean, run.report.markdown()  # the KMS key is pending deletion: gone
    assert f"s3: uja-event-logs-{deployment.qualifier}-{account.account_id}" in run.survivors
    assert any(s.startswith("tagged: ") and s.endswith(":untracked") for s in run.survivors)
    assert run.workdir_removed


def test_unknown_environment_is_refused_naming_the_file() -> None:
    deployment = Deployment(moto_account("http://127.0.0.1:1", "210987654321"), "qa", tree=TINY)
    with pytest.raises(DeployError, match=r"qa\.tfvars"):
        deployment._var_files()
