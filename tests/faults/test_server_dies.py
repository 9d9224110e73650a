"""The moto server dies mid-apply: the error names the step and the cause at once, no step timeout."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from journey_guard.ephemeral import faults, sweep
from journey_guard.ephemeral.account import AccountRefused
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer


def _kill_when_creating(log: Path, pid: int, killed_at: list[float], deadline_s: float = 55.0) -> None:
    # The apply's output goes to <workdir>/apply.log as it runs (deploy._tf).
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if log.exists() and ": Creating..." in log.read_text():
            os.kill(pid, signal.SIGKILL)
            killed_at.append(time.monotonic())
            return
        time.sleep(0.05)


@pytest.mark.slow
# A hang fails here, long before the 15-minute step timeout. 60 s after the death is the goal; the
# apply takes more than 60 s to reach its first create when 2 shared cores run a load of 25.
@pytest.mark.timeout(120, func_only=True)
def test_server_death_mid_apply_names_step_and_cause(
    tiny_run: tuple[MotoServer, Deployment], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server, deployment = tiny_run
    assert deployment.workdir is not None
    killed_at: list[float] = []
    killer = threading.Thread(target=_kill_when_creating, args=(deployment.workdir / "apply.log", server.pid, killed_at), daemon=True)
    killer.start()

    died = r"step 'apply': the moto server \(pid \d+, http://127\.0\.0\.1:\d+\) was killed by SIGKILL"
    with pytest.raises(faults.ServerDied, match=died), faults.server_guard(server, deployment, "deploy"):
        deployment.apply()
    stopped_after = time.monotonic() - killed_at[0]
    request.node.user_properties.append(("error after the death, s", round(stopped_after, 1)))
    assert stopped_after < 10, f"the step went on {stopped_after:.0f} s after the server died"

    assert not faults._terraform_in(deployment.workdir, psutil.Process().children(recursive=True)), "terraform was left running"
    with pytest.raises(AccountRefused, match="is not running"):  # the account died with its server
        sweep.moto_run_account(deployment.account.run_id, tmp_path / "runs")
