"""``Deployment.destroy``: trusts the state first, refreshes only on the retry (a fake terraform records the calls)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journey_guard.ephemeral.account import fresh_account_id, moto_account
from journey_guard.ephemeral.deploy import Deployment


def _fake_terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_destroys: int) -> Path:
    """A terraform that reports a version, records every other call and fails the first N destroys."""
    calls, count = tmp_path / "calls.log", tmp_path / "destroys"
    version = json.dumps({"terraform_version": "1.11.4"})
    fake = tmp_path / "terraform"
    fake.write_text(
        "#!/bin/sh\n"
        f"[ \"$1\" = version ] && {{ echo '{version}'; exit 0; }}\n"
        f'echo "$*" >> {calls}\n'
        'case "$*" in *" destroy "*) ;; *) exit 0 ;; esac\n'
        f"n=$(cat {count} 2>/dev/null || echo 0); echo $((n + 1)) > {count}\n"
        f'[ "$n" -lt {failing_destroys} ] && {{ echo "Error: provider raced" >&2; exit 1; }}\n'
        "exit 0\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("UJA_TERRAFORM", str(fake))
    return calls


def _destroys(calls: Path) -> list[str]:
    return [line for line in calls.read_text().splitlines() if " destroy " in f" {line} "]


@pytest.mark.parametrize(("failing", "expected"), [(0, [True]), (1, [True, False]), (2, [True, False])])
def test_the_first_destroy_trusts_the_state_and_the_retry_refreshes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int, expected: list[bool]
) -> None:
    calls = _fake_terraform(tmp_path, monkeypatch, failing)
    workdir = tmp_path / "work"
    workdir.mkdir()
    deployment = Deployment(moto_account("http://127.0.0.1:1", fresh_account_id()), "dev", workdir=workdir)
    assert deployment.destroy() is (failing < 2)
    assert ["-refresh=false" in call.split() for call in _destroys(calls)] == expected
    assert [step.name for step in deployment.steps] == [f"destroy#{n}" for n in range(1, len(expected) + 1)]
