"""The ephemeral-account cycle: one account, one apply per session, destroy and leak check always.

Options: ``--target moto|aws`` (default moto: a server started here on a free loopback port, a
fresh random account id) and ``--env <environment>`` (the tfvars applied under
``environments/integration.tfvars``). Test modules run in name order: ``test_1_*`` checks the
deployment, ``test_2_*`` drives events through it, ``test_9_*`` destroys and checks for leaks; if a
run stops early, the session fixture's teardown still destroys and checks.

Reports go to ``build/integration/``: ``junit-<env>.xml`` (unless ``--junitxml`` is given),
``summary-<env>.md`` (steps, times, scenarios, leaks) and ``timings-<env>.json`` (read by
``benchmarks/integration.py``).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from journey_guard.ephemeral import faults, leaks, sweep, timeline
from journey_guard.ephemeral.account import Account, aws_account
from journey_guard.ephemeral.background import Background
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.paths import BUILD_DIR
from journey_guard.terraform import environments

REPORT_DIR = BUILD_DIR / "integration"
OUTCOMES: list[tuple[str, str, float]] = []
CYCLES: list[Cycle] = []  # the session's cycle, for the final report


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("integration", "ephemeral-account integration")
    group.addoption("--target", choices=["moto", "aws"], default="moto", help="moto (default, local server) or aws (a sandbox account)")
    group.addoption("--env", choices=environments.names(), default="dev", help="environment tfvars to apply (default dev)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not getattr(config.option, "xmlpath", None):
        REPORT_DIR.mkdir(parents=True, exist_ok=True)
        config.option.xmlpath = str(REPORT_DIR / f"junit-{config.getoption('--env')}.xml")


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The cycle's teardown wrote its report before later tests reported; write it again with all.
    for run in CYCLES:
        if run.destroyed is not None:
            run.write_reports()


def pytest_collection_finish(session: pytest.Session) -> None:
    # The harness's small cycle shares nothing with the system's: start it now, so it runs beside
    # the system's apply and scenarios; test_8_harness.py asserts what it saw.
    if any(item.module.__name__.endswith("test_8_harness") for item in session.items if isinstance(item, pytest.Function)):
        from tests.integration.test_8_harness import SMALL_CYCLE

        SMALL_CYCLE.start()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        OUTCOMES.append((report.nodeid.split("::")[-1], report.outcome, report.duration))


@dataclass
class Cycle:
    """One deployment of the system in one ephemeral account, and what became of it."""

    deployment: Deployment
    server: MotoServer | None = None
    started: float = field(default_factory=time.monotonic)
    state: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    replan_changes: list[dict[str, Any]] | None = None
    destroyed: bool | None = None
    leaks: leaks.LeakReport | None = None
    extra_timings: dict[str, float] = field(default_factory=dict)
    critical_path: list[timeline.Span] = field(default_factory=list)
    _replan: Background[list[dict[str, Any]]] | None = None

    @property
    def account(self) -> Account:
        return self.deployment.account

    def deploy(self) -> None:
        self.deployment.prepare()
        self.deployment.apply()
        self.state = self.deployment.state()
        self.outputs = self.deployment.outputs()
        apply_log = next(s.log for s in self.deployment.steps if s.name == "apply" and s.log)
        self.critical_path = timeline.critical_path(timeline.spans(apply_log.read_text()), timeline.dependencies(self.state))
        self.start_replan()

    def start_replan(self) -> None:
        """Re-plan in the background: the scenarios only write data, so they need not wait for it."""
        self._replan = Background("replan", self.deployment.replan).start()

    def replan(self) -> list[dict[str, Any]]:
        if self._replan is None:
            self._replan = Background("replan", self.deployment.replan)
        self.replan_changes = self._replan.result()
        return self.replan_changes

    def teardown(self) -> None:
        """Destroy (once), check for leaks, remove the run's state when clean, write the reports."""
        if self.destroyed is not None:
            return
        if self._replan is not None and self._replan.started:
            # One terraform at a time holds the state lock; a failed re-plan is test_second_plan_is_empty's
            # to report, and destroy must run anyway.
            with contextlib.suppress(Exception):
                self._replan.result()
        self.destroyed = self.deployment.destroy()
        started = time.monotonic()
        self.leaks = leaks.check(self.account, self.deployment.qualifier)
        self.extra_timings["leak_check"] = time.monotonic() - started
        self.deployment.cleanup(remove_state=self.destroyed and self.leaks.clean)
        self.write_reports()

    def timings(self) -> dict[str, float]:
        d = self.deployment
        return {
            "init": d.seconds("init"),
            "apply": d.seconds("apply"),
            "replan": d.seconds("replan"),
            "destroy": d.seconds("destroy"),
            **self.extra_timings,
            "total": time.monotonic() - self.started,
        }

    def write_reports(self) -> None:
        REPORT_DIR.mkdir(parents=True, exist_ok=True)
        env = self.deployment.environment
        timings = self.timings()
        path = [{"address": span.address, "start": round(span.start, 2), "seconds": round(span.seconds, 2)} for span in self.critical_path]
        report = {"target": self.account.target, **timings, "apply_critical_path": path}
        (REPORT_DIR / f"timings-{env}.json").write_text(json.dumps(report, indent=2) + "\n")
        lines = [
            f"# Integration run `{self.account.run_id}` ({self.account.target}, env {env}, account {self.account.account_id})",
            "",
            "| step | seconds | ok |",
            "|---|---|---|",
            *(f"| {s.name} | {s.seconds:.1f} | {'yes' if s.ok else 'NO'} |" for s in self.deployment.steps),
            f"| whole cycle | {timings['total']:.1f} | |",
            "",
            "## The apply's critical path",
            "",
            *timeline.markdown(self.critical_path, self.deployment.seconds("apply")),
            "",
            "## Scenarios",
            "",
            *(f"- {name}: {outcome} ({seconds:.1f} s)" for name, outcome, seconds in OUTCOMES),
            "",
            "## Re-plan after apply",
            "",
            "not run"
            if self.replan_changes is None
            else (f"{len(self.replan_changes)} changes" + "".join(f"\n- `{c['address']}` {c['actions']}" for c in self.replan_changes)),
            "",
            "## Destroy and leaks",
            "",
            f"- destroy: {'ok' if self.destroyed else 'FAILED (state kept for a manual destroy)'}",
            self.leaks.markdown() if self.leaks else "- leak check not run",
            *(f"\n```\n{s.detail}\n```" for s in self.deployment.steps if not s.ok),
        ]
        (REPORT_DIR / f"summary-{env}.md").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def cycle(request: pytest.FixtureRequest) -> Iterator[Cycle]:
    target, env = request.config.getoption("--target"), request.config.getoption("--env")
    server = None
    if target == "moto":
        server, account = sweep.start_moto_run()
    else:
        account = aws_account()
    run = Cycle(Deployment(account, env), server=server)
    CYCLES.append(run)
    try:
        with faults.server_guard(server, run.deployment, "deploy"):
            run.deploy()
        yield run
    finally:
        try:
            with faults.server_guard(server, run.deployment, "teardown"):
                run.teardown()
        finally:
            if server is not None:
                server.stop()
