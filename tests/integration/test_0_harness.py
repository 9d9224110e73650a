"""The harness itself: apply / re-plan / destroy / leak check of a small root against a moto server.

Runs before the system's own cycle (test_1_*) and needs no build artifacts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journey_guard import leaks
from journey_guard.account import fresh_account_id, moto_account
from journey_guard.deploy import DeployError, Deployment
from journey_guard.moto_server import MotoServer

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.mark.slow
def test_cycle_applies_replans_empty_destroys_and_finds_planted_leaks(tmp_path: Path) -> None:
    account_id = fresh_account_id()
    with MotoServer(account_id) as server:
        account = moto_account(server.endpoint_url, account_id)
        deployment = Deployment(account, "dev", tree=TINY, artifacts_dir=tmp_path)
        try:
            deployment.prepare()
            deployment.apply()
            assert deployment.outputs() == {"table_name": f"uja-user-events-dev-{account.name_suffix}"}
            assert deployment.replan() == []
            assert account.client("dynamodb").list_tables()["TableNames"] == [f"uja-user-events-dev-{account.name_suffix}"]
            tagged = account.client("resourcegroupstaggingapi").get_resources(TagFilters=[{"Key": "run_id", "Values": [account.run_id]}])
            assert tagged["ResourceTagMappingList"], "default tags carry the run id"
        finally:
            destroyed = deployment.destroy()
        assert destroyed
        assert [s.name for s in deployment.steps] == ["init", "apply", "replan", "destroy#1"]
        report = leaks.check(account, deployment.qualifier)
        assert report.clean, report.markdown()  # the KMS key is pending deletion: gone

        account.client("s3").create_bucket(Bucket=f"uja-event-logs-{deployment.qualifier}-{account_id}")
        account.client("sqs").create_queue(QueueName="untracked", tags={"run_id": account.run_id})
        survivors = leaks.check(account, deployment.qualifier).survivors
        assert f"s3: uja-event-logs-{deployment.qualifier}-{account_id}" in survivors
        assert any(s.startswith("tagged: ") and s.endswith(":untracked") for s in survivors)
        deployment.cleanup(remove_state=True)
        assert not deployment.workdir.exists()


def test_unknown_environment_is_refused_naming_the_file() -> None:
    deployment = Deployment(moto_account("http://127.0.0.1:1", "210987654321"), "qa", tree=TINY)
    with pytest.raises(DeployError, match=r"qa\.tfvars"):
        deployment._var_files()
