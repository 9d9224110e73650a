"""``nox -s gate``/``tests`` run their sessions side by side (journey_guard.quality.parallel).

A fake runner stands in for ``python -m nox``: it gets ``-s <name>`` as nox would, so these tests
prove the scheduling, the prefixed output, the logs and the failure reporting without nox.
"""

from __future__ import annotations

import io
import itertools
import json
import sys
from pathlib import Path

import pytest

from journey_guard.quality import parallel

# argv: -c <marks dir> -s <name>. "bad" fails; "wait-for-<other>" blocks until <other> has started (proof of overlap).
FAKE = """
import os, sys, time, pathlib
marks, name = sys.argv[1], sys.argv[3]
print("start", name, time.monotonic(), "unbuffered=" + os.environ.get("PYTHONUNBUFFERED", ""), flush=True)
if name.startswith("wait-for-"):
    other = pathlib.Path(marks, name.removeprefix("wait-for-"))
    deadline = time.monotonic() + 60
    while not other.exists():
        if time.monotonic() > deadline:
            sys.exit("never saw " + other.name)
        time.sleep(0.05)
else:
    pathlib.Path(marks, name).touch()
    time.sleep(0.2)
print("end", name, time.monotonic(), flush=True)
sys.exit(3 if name == "bad" else 0)
"""


def runner(marks: Path) -> list[str]:
    return [sys.executable, "-c", FAKE, str(marks)]  # parallel.run appends "-s <name>", as for nox


def test_sessions_overlap_and_each_has_its_prefixed_output_and_log(tmp_path: Path) -> None:
    out = io.StringIO()
    outcomes = parallel.run(["wait-for-lint", "lint"], runner=runner(tmp_path), logs=tmp_path / "logs", out=out)
    assert [(o.session, o.returncode) for o in outcomes] == [("wait-for-lint", 0), ("lint", 0)]
    text = out.getvalue()
    assert "lint          | start lint" in text and "wait-for-lint | end wait-for-lint" in text
    assert "wait-for-lint | == passed in" in text
    assert "unbuffered=1" in text  # a child's lines arrive as it prints them, not when it exits
    assert (tmp_path / "logs" / "lint.log").read_text().startswith("start lint ")
    summary = json.loads((tmp_path / "logs" / "summary.json").read_text())
    assert [(s["session"], s["returncode"]) for s in summary["sessions"]] == [("wait-for-lint", 0), ("lint", 0)]
    assert summary["jobs"] == 2 and all(s["seconds"] > 0 for s in summary["sessions"])


def test_one_job_runs_them_one_after_another(tmp_path: Path) -> None:
    out = io.StringIO()
    parallel.run(["a", "b", "c"], jobs=1, runner=runner(tmp_path), logs=tmp_path / "logs", out=out)
    spans = []
    for name in "abc":
        start, end = ((tmp_path / "logs" / f"{name}.log").read_text().splitlines()[i].split()[2] for i in (0, 1))
        spans.append((float(start), float(end)))
    spans.sort()
    assert all(previous[1] <= following[0] for previous, following in itertools.pairwise(spans)), spans


def test_a_failure_is_reported_and_the_others_still_finish(tmp_path: Path) -> None:
    out = io.StringIO()
    outcomes = parallel.run(["bad", "good"], runner=runner(tmp_path), logs=tmp_path / "logs", out=out)
    assert {o.session: o.passed for o in outcomes} == {"bad": False, "good": True}
    assert "end good" in out.getvalue() and "bad  | == FAILED in" in out.getvalue()
    summary = parallel.table(outcomes)
    assert "bad      FAILED" in summary and "good     passed" in summary
    assert str(tmp_path / "logs" / "bad.log") in summary


@pytest.mark.parametrize(("names", "jobs", "message"), [([], None, "no session"), (["a"], 0, "at least 1")])
def test_bad_arguments_are_refused(tmp_path: Path, names: list[str], jobs: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parallel.run(names, jobs, runner=runner(tmp_path), logs=tmp_path)
