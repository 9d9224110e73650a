"""The hermetic mechanism on real plans: no retry against the unreachable endpoint, any root's providers.

Means: real ``terraform plan`` runs of small fixture roots (seconds each), read through the
provider's own debug log.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from journey_guard.terraform import hermetic, plans, toolchain

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The AWS SDK stamps every request with its attempt number and the most it will make.
ATTEMPT = re.compile(r'amz_sdk_request="attempt=(\d+); max=(\d+)"')


def _debug_plan(tmp_path: Path, settings: hermetic.Settings, *, first_call_only: bool = False) -> str:
    """Plan the aliased fixture in a prepared copy with the provider's debug log; return the log.

    ``first_call_only`` stops the plan at its first AWS request: the default retry policy would back
    off for minutes, and the request's own header already says how many attempts it allows.
    """
    inputs = plans.copy(plans.root_inputs(FIXTURES / "aliased"), tmp_path)
    var_files = plans.prepare(inputs, settings)
    log = tmp_path / "debug.log"
    env = {**plans.plan_env(), "TF_LOG": "debug", "TF_LOG_PATH": str(log)}
    cmd = [toolchain.ensure().terraform, f"-chdir={inputs.tree}", "plan", "-refresh=false", "-lock=false", "-input=false"]
    proc = subprocess.Popen([*cmd, *(f"-var-file={f}" for f in var_files)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600  # a safety net only: a loaded machine plans slowly
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if first_call_only and log.exists() and ATTEMPT.search(log.read_text()):
                break
            time.sleep(0.2)
    finally:
        proc.kill()
        proc.wait()
    return log.read_text()


def test_a_hermetic_plan_makes_each_call_once(tmp_path: Path) -> None:
    attempts = ATTEMPT.findall(_debug_plan(tmp_path, hermetic.Settings()))
    # aws_kinesis_stream asks Kinesis/DescribeLimits while planning: that call is made, and only once.
    assert attempts, "the fixture's plan made no AWS call: the proof below would prove nothing"
    assert set(attempts) == {("1", "1")}


def test_max_retries_zero_means_the_default_not_none(tmp_path: Path) -> None:
    # Why the override says 1: the provider reads 0 as "unset" and retries 25 times.
    attempts = ATTEMPT.findall(_debug_plan(tmp_path, hermetic.Settings(max_retries=0), first_call_only=True))
    assert attempts and {m for _, m in attempts} == {"25"}


def test_any_root_is_planned_with_its_own_providers_overridden() -> None:
    # A profile, two assume_role blocks, an alias and a child module's provider block: without every
    # override the plan would fail looking for credentials or calling STS.
    plan = plans.render_root(FIXTURES / "aliased")
    assert sorted(plan.resources) == ["aws_kinesis_stream.events", "aws_sqs_queue.west", "module.legacy.aws_sns_topic.legacy"]
    config = plan.configuration["provider_config"]
    assert {c.get("alias") for c in config.values()} == {None, "west"}
    assert config["aws"]["expressions"]["region"]["constant_value"] == "eu-west-1"  # the root's own value stays


def test_the_bootstrap_root_is_planned_hermetically() -> None:
    plan = plans.render_root(plans.TERRAFORM_DIR / "bootstrap", variables={"account_id": "123456789012"})
    assert plan.of_type("aws_cloudtrail"), "the bootstrap plan has no trail"
    assert not plan.json.get("prior_state", {}).get("values", {}).get("root_module", {}).get("resources")


def test_the_known_endpoint_names_are_the_installed_providers_own() -> None:
    # The committed list spares every render the 13 MB schema; it must be exactly the schema's.
    template = plans.initialised_template(plans.TERRAFORM_DIR)
    version = hermetic.provider_version(template)
    known = json.loads(hermetic.KNOWN_ENDPOINTS.read_text())
    assert version in known, f"add hashicorp/aws {version} to {hermetic.KNOWN_ENDPOINTS.name} (python -m journey_guard.terraform.hermetic)"
    assert known[version] == hermetic.schema_endpoints(template, toolchain.ensure().terraform, plans.plan_env())
