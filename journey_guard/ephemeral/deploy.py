"""Apply, re-plan and destroy the real ``terraform/`` in an ephemeral account, timing each step.

Works on a temp copy of the tree (``init`` and state never touch the working tree). The copy keeps
the root's ``backend "s3" {}``: the state bucket ``uja-tfstate-<account>-<env>`` is created directly
in moto (on real AWS bootstrap made it) and the backend gets a per-run key, plus, against moto, its
endpoint, path-style addressing and the skip flags. Against moto the provider blocks get the same
override files as a hermetic plan (``journey_guard.terraform.hermetic``), pointed at the server with its keys and
the provider's default retries. Variables: ``environments/<env>.tfvars``, then
``environments/integration.tfvars``, then a generated ``run.tfvars.json`` (account, AZs, artifacts and
run tags) and ``-var name_suffix=<run suffix>``.

``Deployment.destroy`` is meant for a ``finally``: it runs whatever happened before and records
its own failure instead of hiding the first one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from journey_guard import progress
from journey_guard.ephemeral import timeline
from journey_guard.ephemeral.account import Account
from journey_guard.paths import BUILD_DIR, TERRAFORM_DIR
from journey_guard.terraform import hermetic, plans, tf, toolchain

INTEGRATION_TFVARS = "integration.tfvars"
MOTO_AZS = ["us-east-1a", "us-east-1b"]
COPY_IGNORE = shutil.ignore_patterns(".terraform", "*.tfstate", "*.tfstate.backup", "*.tfplan", ".terraform.tfstate.lock.info")
# The provider waits on eventual consistency; more parallel creates shorten those waits' sum.
PARALLELISM = "30"
# No step of a healthy run takes this long; a hung provider wait must not hang the session.
STEP_TIMEOUT_S = 900


class DeployError(RuntimeError):
    """A terraform step failed; the message carries the step and Terraform's error output."""


@dataclass
class StepResult:
    name: str
    seconds: float
    ok: bool
    detail: str = ""
    log: Path | None = None  # the timed log (timeline.spans reads it)


class Progress:
    """'apply dev: 87/172 resources (41 s)' every few seconds while an apply or destroy runs."""

    EVERY_S = 10.0

    def __init__(self, label: str) -> None:
        self.label, self.planned, self.done, self.last = label, 0, 0, 0.0

    def feed(self, line: str, seconds: float) -> None:
        planned = timeline.PLANNED.search(line)
        if planned:
            self.planned = int(planned["destroy"]) if self.label.startswith("destroy") else int(planned["add"]) + int(planned["change"])
            progress.emit(self.label, f"{self.planned} resources planned")
        elif timeline.DONE.search(line):
            self.done += 1
            if seconds - self.last >= self.EVERY_S:
                self.last = seconds
                progress.emit(self.label, f"{self.done}/{self.planned or '?'} resources ({seconds:.0f} s)")

    def finish(self, seconds: float, ok: bool) -> None:
        progress.emit(self.label, f"{'done' if ok else 'FAILED'}: {self.done}/{self.planned or '?'} resources in {seconds:.1f} s")


def _copy_lines(stream: IO[str], out: IO[str], started: float, meter: Progress | None) -> None:
    for line in stream:
        seconds = time.monotonic() - started
        out.write(timeline.stamp(seconds, line))
        out.flush()
        if meter is not None:
            meter.feed(line, seconds)


@dataclass
class Deployment:
    account: Account
    environment: str
    tree: Path = TERRAFORM_DIR
    artifacts_dir: Path = BUILD_DIR
    steps: list[StepResult] = field(default_factory=list)
    workdir: Path | None = None

    @property
    def state_bucket(self) -> str:
        return f"uja-tfstate-{self.account.account_id}-{self.environment}"

    @property
    def state_key(self) -> str:
        return f"user-journey-analytics/{self.environment}/integration/{self.account.run_id}.tfstate"

    @property
    def qualifier(self) -> str:
        return f"{self.environment}-{self.account.name_suffix}"

    def _env(self) -> dict[str, str]:
        env = tf.terraform_env()
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(key, None)
        env.update(self.account.env())
        # The provider gets its endpoints from the override file; a global override would also redirect
        # the S3 backend's STS calls in ways the backend config already handles.
        env.pop("AWS_ENDPOINT_URL", None)
        return env

    def _tf(self, *args: str, step: str | None = None, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        """Run terraform in the copy; a named step is timed, logged to ``<workdir>/<step>.log`` and bounded.

        Every line of the log carries its second since the step started (``timeline`` reads them), and
        apply/destroy report progress (resources done out of planned) while they run.
        """
        assert self.workdir is not None, "prepare() first"
        cmd = [toolchain.ensure().terraform, f"-chdir={self.workdir}", *args]
        started = time.monotonic()
        log = self.workdir / f"{step or args[0]}.log"
        errors = self.workdir / f"{step or args[0]}.stderr"
        meter = Progress(f"{args[0]} {self.environment}") if args[0] in ("apply", "destroy") else None
        # stdout line by line into a file, not a pipe buffer: a step that hangs still leaves its progress to read.
        with log.open("w") as out, errors.open("w") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=self._env())
            reader = threading.Thread(target=_copy_lines, args=(proc.stdout, out, started, meter), daemon=True)
            reader.start()
            try:
                returncode = proc.wait(timeout=STEP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                returncode = -1
            reader.join()
        stderr = errors.read_text() if returncode != -1 else f"timed out after {STEP_TIMEOUT_S} s; last output above"
        result = subprocess.CompletedProcess(cmd, returncode, timeline.unstamp(log.read_text()), stderr)
        elapsed = time.monotonic() - started
        ok = returncode in ok_codes
        if meter is not None:
            meter.finish(elapsed, ok)
        if step:
            self.steps.append(StepResult(step, elapsed, ok, "" if ok else _tail(result), log=log))
        if not ok:
            raise DeployError(f"terraform {args[0]} ({step or 'step'}) failed in {self.workdir}:\n{_tail(result)}")
        return result

    def _var_files(self) -> list[str]:
        env_file = self.tree / "environments" / f"{self.environment}.tfvars"
        if not env_file.is_file():
            raise DeployError(f"no tfvars for environment {self.environment!r}: {env_file} is missing")
        if not (self.tree / "environments" / INTEGRATION_TFVARS).is_file():
            raise DeployError(
                f"{self.tree / 'environments' / INTEGRATION_TFVARS} is missing: integration runs apply it on top of {env_file.name}"
            )
        files = [f"environments/{self.environment}.tfvars", f"environments/{INTEGRATION_TFVARS}"]
        return [*(f"-var-file={f}" for f in files), "-var-file=run.tfvars.json", f"-var=name_suffix={self.account.name_suffix}"]

    def run_variables(self) -> dict[str, Any]:
        variables: dict[str, Any] = {
            "account_id": self.account.account_id,
            "aws_region": self.account.region,
            "artifacts_dir": str(self.artifacts_dir.resolve()),
            "extra_tags": self.account.tags,
        }
        if self.account.target == "moto":
            # The endpoint only builds queue URLs as moto gives them; the provider's come from the overrides.
            variables |= {"availability_zones": MOTO_AZS, "aws_endpoint_url": self.account.endpoint_url}
        return variables

    def overrides(self) -> hermetic.Settings | None:
        """Against moto, the plans' override mechanism with the server's endpoint and keys (retries kept)."""
        if self.account.target != "moto":
            return None
        return hermetic.Settings(
            endpoint=self.account.endpoint_url,
            access_key=self.account.access_key,
            secret_key=self.account.secret_key,
            max_retries=None,
            region=self.account.region,
            local_backend=False,
        )

    def backend_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"bucket": self.state_bucket, "key": self.state_key, "region": self.account.region}
        if self.account.target == "moto":
            config |= {
                "endpoints": {"s3": self.account.endpoint_url, "sts": self.account.endpoint_url},
                "use_path_style": True,
                "skip_credentials_validation": True,
                "skip_requesting_account_id": True,
                "skip_metadata_api_check": True,
                "skip_region_validation": True,
                "skip_s3_checksum": True,
            }
        return config

    def prepare(self, create_state_bucket: bool = True) -> Path:
        """Copy the tree, create the state bucket (moto), write the run's files, init under the lock.

        ``create_state_bucket=False``: another deployment of this account made it (and the state in it).
        """
        self.workdir = Path(tempfile.mkdtemp(prefix=f"uja-it-{self.qualifier}-"))
        shutil.copytree(self.tree, self.workdir, dirs_exist_ok=True, ignore=COPY_IGNORE)
        (self.workdir / "run.tfvars.json").write_text(json.dumps(self.run_variables(), indent=2))
        (self.workdir / "run-backend.hcl").write_text(_hcl(self.backend_config()))
        settings = self.overrides()
        if settings is not None:
            hermetic.write_overrides(self.workdir, settings, plans.provider_endpoints(self.tree))
        if self.account.target == "moto" and create_state_bucket:
            s3 = self.account.client("s3")
            s3.create_bucket(Bucket=self.state_bucket)
            s3.put_bucket_versioning(Bucket=self.state_bucket, VersioningConfiguration={"Status": "Enabled"})
        env_backend = self.tree / "environments" / f"{self.environment}-backend.hcl"
        backend_files = [f"-backend-config=environments/{env_backend.name}"] if env_backend.is_file() else []
        lockfile = ["-lockfile=readonly"] if (self.workdir / ".terraform.lock.hcl").exists() else []
        with tf.init_lock():
            self._tf("init", "-input=false", "-no-color", *lockfile, *backend_files, "-backend-config=run-backend.hcl", step="init")
        return self.workdir

    def apply(self, step: str = "apply") -> None:
        self._tf("apply", "-auto-approve", "-input=false", "-no-color", f"-parallelism={PARALLELISM}", *self._var_files(), step=step)

    def replan(self) -> list[dict[str, Any]]:
        """Plan again; return the resource changes that are not no-ops (empty = no perpetual diff)."""
        proc = self._tf(
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            f"-parallelism={PARALLELISM}",
            "-out=replan.tfplan",
            *self._var_files(),
            step="replan",
            ok_codes=(0, 2),
        )
        if proc.returncode == 0:
            return []
        shown = json.loads(self._tf("show", "-json", "replan.tfplan").stdout)
        return [
            {"address": rc["address"], "actions": rc["change"]["actions"]}
            for rc in shown.get("resource_changes", [])
            if rc["change"]["actions"] not in (["no-op"], ["read"])
        ]

    def plan_json(self, name: str, *flags: str, always: bool = False) -> dict[str, Any] | None:
        """A timed plan step with ``flags`` (drift: ``-refresh-only``) saved as ``<name>.tfplan``: its
        ``show -json``, or None when the plan is empty (exit 0; ``show`` of a large plan takes seconds)
        unless ``always`` (a plan of moves alone may exit 0 and still carry them)."""
        proc = self._tf(
            "plan", "-detailed-exitcode", "-input=false", "-no-color", f"-parallelism={PARALLELISM}", f"-out={name}.tfplan",
            *flags, *self._var_files(), step=name, ok_codes=(0, 2),
        )  # fmt: skip
        return json.loads(self._tf("show", "-json", f"{name}.tfplan").stdout) if proc.returncode == 2 or always else None

    def state(self) -> dict[str, Any]:
        """``terraform show -json`` of the current state (same ``values`` layout as a plan)."""
        return json.loads(self._tf("show", "-json").stdout)

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self._tf("output", "-json").stdout)
        return {name: value["value"] for name, value in raw.items()}

    def destroy(self) -> bool:
        """Destroy, never raising. The first attempt trusts the state (``-refresh=false``: reading back
        every resource costs seconds, and the run has just proven the state matches); the second, after
        a failure (the provider racing its own dependency waits, or something deleted out of band),
        refreshes first. The leak check afterwards reads the account itself, not the state."""
        if self.workdir is None:
            return True
        for attempt in (1, 2):
            try:
                self._tf(
                    "destroy",
                    "-auto-approve",
                    "-input=false",
                    "-no-color",
                    f"-parallelism={PARALLELISM}",
                    *(["-refresh=false"] if attempt == 1 else []),
                    *self._var_files(),
                    step=f"destroy#{attempt}",
                )
                return True
            except DeployError:
                continue
        return False

    def cleanup(self, remove_state: bool) -> None:
        """Remove the temp copy and, once destroy succeeded, the run's state (moto: and its bucket).

        After a failed destroy the state stays, so ``terraform destroy`` can be run again by hand.
        """
        try:
            if not remove_state:
                return
            s3 = self.account.client("s3")
            versions = s3.list_object_versions(Bucket=self.state_bucket, Prefix=self.state_key)
            for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
                s3.delete_object(Bucket=self.state_bucket, Key=version["Key"], VersionId=version["VersionId"])
            if self.account.target == "moto":
                s3.delete_bucket(Bucket=self.state_bucket)
        finally:
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def seconds(self, step: str) -> float:
        return sum(s.seconds for s in self.steps if s.name == step or s.name.startswith(f"{step}#"))


def _hcl(values: dict[str, Any]) -> str:
    """Backend settings as HCL (JSON-encoded scalars are valid HCL literals; objects use `=`)."""

    def literal(value: Any) -> str:
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{k} = {literal(v)}" for k, v in value.items()) + " }"
        return json.dumps(value)

    return "".join(f"{key} = {literal(value)}\n" for key, value in values.items())


def _tail(proc: subprocess.CompletedProcess[str], limit: int = 4000) -> str:
    # Terraform prints errors on stderr; a timeout's story is the end of stdout.
    text = (proc.stdout or "")[-limit:] + "\n" + (proc.stderr or "") if proc.returncode == -1 else proc.stderr or proc.stdout or ""
    return text[-limit:]
