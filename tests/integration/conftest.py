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

import pytest

from journey_guard.terraform import environments
from tests.support.integration import CYCLES, OUTCOMES, REPORT_DIR


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
