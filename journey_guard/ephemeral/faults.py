"""Faults an integration run meets, and how the harness gets through them without a person.

- **Terraform killed mid-apply** (:func:`kill_apply`): the apply and its provider are SIGKILLed as
  the Nth "Creation complete" line appears (N from a seed, both printed). Nothing was saved: the
  S3 backend writes state at the end of an apply (or every 20 s), so the N resources are orphans,
  and the lock object (``use_lockfile = true``) stays behind. :func:`recover` removes that lock
  once no terraform of the run is alive, finds the orphans (resources of the run the state does
  not know), imports those the plan would create under the same name (``import`` blocks), sweeps
  the others (:mod:`journey_guard.ephemeral.sweep`), and applies again.
- **The moto server dies** (:func:`server_guard`): a watcher thread sees the child's exit within a
  fraction of a second, kills the running step's terraform instead of letting the provider retry
  into the 15-minute step timeout, and the error names the step and the cause.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from journey_guard.ephemeral import sweep
from journey_guard.ephemeral.deploy import PARALLELISM, STEP_TIMEOUT_S, DeployError, Deployment, StepResult
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.terraform import toolchain

CREATED = re.compile(r"^(\S+): Creation complete after ")
IMPORTS_FILE = "journey_guard_adopt.tf"
# Resource types whose import id is an attribute the plan knows before creating them, and the
# sweeper's kind for the same resource. Anything else that is orphaned is swept, then created anew.
IMPORTABLE: dict[str, tuple[str, str]] = {
    "aws_s3_bucket": ("s3", "bucket"),
    "aws_dynamodb_table": ("dynamodb", "name"),
    "aws_cloudwatch_log_group": ("logs", "name"),
    "aws_kms_alias": ("kms-alias", "name"),
    "aws_kinesis_stream": ("kinesis", "name"),
    "aws_lambda_function": ("lambda", "function_name"),
    "aws_iam_role": ("iam-role", "name"),
    "aws_cloudwatch_metric_alarm": ("cloudwatch-alarm", "alarm_name"),
    "aws_sagemaker_model": ("sagemaker-model", "name"),
}


class ServerDied(DeployError):
    """The moto server exited while a step ran; the message names the step and the cause."""


# --- terraform killed mid-apply ---------------------------------------------------------------


def kill_point(seed: int, resources: int) -> int:
    """How many creations to let finish before the kill: 1..resources-1, fixed by the seed."""
    if resources < 2:
        raise ValueError(f"a kill mid-apply needs a root of at least 2 resources, got {resources}")
    return random.Random(seed).randint(1, resources - 1)


def kill_apply(deployment: Deployment, after: int) -> list[str]:
    """Apply, SIGKILL terraform and its provider as the ``after``-th resource is created; return the created addresses."""
    assert deployment.workdir is not None, "prepare() first"
    cmd = [
        toolchain.ensure().terraform,
        f"-chdir={deployment.workdir}",
        *("apply", "-auto-approve", "-input=false", "-no-color", f"-parallelism={PARALLELISM}"),
        *deployment._var_files(),
    ]
    # No intermediate save (default every 20 s): every resource created before the kill is an
    # orphan, as on any kill before the first save, whatever the machine's speed.
    env = {**deployment._env(), "TF_STATE_PERSIST_INTERVAL": "3600"}
    created: list[str] = []
    started = time.monotonic()
    log = deployment.workdir / "apply-killed.log"
    # Its own process group: the kill takes the provider plugin too, as a CI runner's kill does.
    with (
        log.open("w") as out,
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True) as proc,
    ):
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            if match := CREATED.match(line):
                created.append(match.group(1))
            if len(created) >= after:
                os.killpg(proc.pid, signal.SIGKILL)
                break
        proc.wait()
    deployment.steps.append(StepResult("apply-killed", time.monotonic() - started, False, f"SIGKILL after {len(created)} created"))
    if len(created) < after:
        raise DeployError(f"apply ended (exit {proc.returncode}) after {len(created)} creations, before the kill at {after}; see {log}")
    return created


def _terraform_in(workdir: Path, processes: Iterable[psutil.Process]) -> list[psutil.Process]:
    flag = f"-chdir={workdir}"
    found = []
    for process in processes:
        try:
            if flag in process.cmdline():
                found.append(process)
        except psutil.Error:
            continue
    return found


def remove_stale_lock(deployment: Deployment) -> str | None:
    """Force-unlock the run's state if its lock outlived its holder; return the lock id (None: no lock)."""
    s3 = deployment.account.client("s3")
    try:
        body = s3.get_object(Bucket=deployment.state_bucket, Key=f"{deployment.state_key}.tflock")["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    lock = json.loads(body)
    host = str(lock.get("Who", "")).rpartition("@")[2]
    if host != socket.gethostname():
        raise DeployError(f"state lock {lock.get('ID')} of {deployment.state_key} is held by {lock.get('Who')}, not this host: not removed")
    holders = _terraform_in(deployment.workdir, psutil.process_iter()) if deployment.workdir else []
    if holders:
        raise DeployError(f"state lock {lock['ID']} is held by running terraform (pid {holders[0].pid}): not stale")
    deployment._tf("force-unlock", "-force", lock["ID"], step="force-unlock")
    return str(lock["ID"])


def _identities(deployment: Deployment) -> set[str]:
    """Every top-level string attribute (id, arn, name, bucket...) of every resource in the run's saved state.

    Read from the backend object itself: ``terraform show`` would start the provider for nothing.
    """
    s3 = deployment.account.client("s3")
    try:
        state = json.loads(s3.get_object(Bucket=deployment.state_bucket, Key=deployment.state_key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return set()  # killed before the first save
    return {
        value
        for resource in state.get("resources", [])
        for instance in resource.get("instances", [])
        for value in instance.get("attributes", {}).values()
        if isinstance(value, str)
    }


def orphans(deployment: Deployment) -> list[sweep.Found]:
    """Resources of the run (found as the sweeper finds them) that the run's saved state does not know."""
    managed = _identities(deployment)
    found, _ = sweep.discover(deployment.account)
    return [item for item in found if item.name not in managed]


def plan_imports(deployment: Deployment, candidates: list[sweep.Found]) -> dict[str, sweep.Found]:
    """Address -> orphan, for each resource the plan would create under an orphan's name."""
    wanted = {(item.kind, item.name): item for item in candidates}
    deployment._tf("plan", "-input=false", "-no-color", "-out=adopt.tfplan", *deployment._var_files(), step="adopt-plan")
    shown = json.loads(deployment._tf("show", "-json", "adopt.tfplan").stdout)
    imports = {}
    for change in shown.get("resource_changes", []):
        kind_attr = IMPORTABLE.get(change["type"])
        if kind_attr and change["change"]["actions"] == ["create"]:
            key = (kind_attr[0], (change["change"]["after"] or {}).get(kind_attr[1]))
            if key in wanted:
                imports[change["address"]] = wanted[key]
    return imports


@dataclass
class Recovery:
    lock_id: str | None
    orphans: list[sweep.Found]
    imported: dict[str, sweep.Found] = field(default_factory=dict)
    swept: list[sweep.Found] = field(default_factory=list)


def recover(deployment: Deployment) -> Recovery:
    """After a killed apply: stale lock off, orphans imported or swept, then apply to convergence."""
    assert deployment.workdir is not None, "prepare() first"
    recovery = Recovery(remove_stale_lock(deployment), orphans(deployment))
    if recovery.orphans:
        recovery.imported = plan_imports(deployment, recovery.orphans)
        rest = [item for item in recovery.orphans if item not in recovery.imported.values()]
        swept = sweep.delete(deployment.account, rest)
        if swept.failed:
            raise DeployError("orphans of the killed apply could not be swept:\n" + "\n".join(f"{k}: {v}" for k, v in swept.failed.items()))
        recovery.swept = swept.deleted
    imports = deployment.workdir / IMPORTS_FILE
    imports.write_text(
        "".join(f"import {{\n  to = {address}\n  id = {json.dumps(item.name)}\n}}\n" for address, item in recovery.imported.items())
    )
    try:
        deployment.apply()
    finally:
        imports.unlink()
    return recovery


# --- the moto server dies ---------------------------------------------------------------------


def _cause(code: int) -> str:
    return f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"


def _kill_tree(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            for victim in [*process.children(recursive=True), process]:
                victim.kill()
        except psutil.Error:
            continue


@contextmanager
def server_guard(server: MotoServer | None, deployment: Deployment, label: str, poll_s: float = 0.2) -> Iterator[None]:
    """Run a step of ``deployment`` watching ``server``: if it dies, stop the step at once and say why.

    ``label`` names the step unless a terraform step of the deployment failed inside the block.
    """
    if server is None:
        yield
        return
    pid, endpoint, first = server.pid, server.endpoint_url, len(deployment.steps)
    done = threading.Event()

    def watch() -> None:
        # Keep killing: a step that starts after the death must not wait on a dead endpoint either.
        while not done.wait(poll_s):
            if server.exit_code() is not None and deployment.workdir is not None:
                _kill_tree(_terraform_in(deployment.workdir, psutil.Process().children(recursive=True)))

    watcher = threading.Thread(target=watch, name=f"server-guard-{label}", daemon=True)
    watcher.start()
    try:
        yield
    except Exception as exc:
        code = server.exit_code()
        if code is None:
            raise
        failed = [s.name for s in deployment.steps[first:] if not s.ok]
        step = failed[-1] if failed else label
        raise ServerDied(
            f"step {step!r}: the moto server (pid {pid}, {endpoint}) {_cause(code)}; the step was stopped at once "
            f"instead of running into its {STEP_TIMEOUT_S} s timeout. Its account died with it: nothing is left to destroy. "
            f"The step's own error: {str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__}"
        ) from exc
    finally:
        done.set()
        watcher.join()
