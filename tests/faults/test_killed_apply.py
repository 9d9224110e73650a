"""Terraform SIGKILLed mid-apply: stale lock removed, orphans imported or swept, apply converges, nothing left."""

from __future__ import annotations

import os
import re
import secrets

import pytest

from journey_guard.ephemeral import faults, leaks
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from tests.support.integration import TINY

TINY_RESOURCES = len(re.findall(r'^resource "', (TINY / "main.tf").read_text(), re.M))


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_killed_apply_is_recovered_and_leaves_nothing(tiny_run: tuple[MotoServer, Deployment], request: pytest.FixtureRequest) -> None:
    _, deployment = tiny_run
    account = deployment.account
    seed = int(os.environ.get("UJA_FAULT_SEED") or secrets.randbelow(2**32))
    after = faults.kill_point(seed, TINY_RESOURCES)
    print(f"fault seed {seed}: SIGKILL after {after} of {TINY_RESOURCES} creations (UJA_FAULT_SEED={seed} repeats it)")
    request.node.user_properties += [("seed", seed), ("killed after", after)]

    created = faults.kill_apply(deployment, after)
    assert len(created) == after
    lock_key = f"{deployment.state_key}.tflock"
    assert account.client("s3").list_objects_v2(Bucket=deployment.state_bucket, Prefix=lock_key)["KeyCount"] == 1, "the lock outlived apply"

    recovery = faults.recover(deployment)
    request.node.user_properties += [
        ("orphans", len(recovery.orphans)),
        ("imported", len(recovery.imported)),
        ("swept", len(recovery.swept)),
    ]
    assert recovery.lock_id
    assert len(recovery.orphans) >= after >= 1, recovery
    assert set(recovery.orphans) == set(recovery.imported.values()) | set(recovery.swept)
    assert faults.orphans(deployment) == [], "after the second apply every resource of the run is in the state"
    assert deployment.replan() == []

    assert deployment.destroy()
    report = leaks.check(account, deployment.qualifier)
    assert report.clean, report.markdown()
    deployment.cleanup(remove_state=True)
    assert not account.client("s3").list_buckets()["Buckets"], "state bucket and every bucket of the run are gone"
