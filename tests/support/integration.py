"""The ephemeral-account cycle of the integration layer: one deployment of the system in one account,
what became of it, and its reports in ``build/integration/`` (``summary-<env>.md``, ``timings-<env>.json``)."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journey_guard.ephemeral import leaks, timeline
from journey_guard.ephemeral.account import Account
from journey_guard.ephemeral.background import Background
from journey_guard.ephemeral.deploy import Deployment
from journey_guard.ephemeral.moto_server import MotoServer
from journey_guard.paths import BUILD_DIR

REPORT_DIR = BUILD_DIR / "integration"
TINY = Path(__file__).resolve().parents[1] / "integration" / "fixtures" / "tiny"  # the harness's own small root
OUTCOMES: list[tuple[str, str, float]] = []  # (test, outcome, seconds), for the summary
CYCLES: list[Cycle] = []  # the session's cycle, for the final report


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
