"""CI reuses what is expensive: the composite caches action, its keys, and the jobs that use it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from journey_guard import paths
from journey_guard.paths import REPO

ACTION = REPO / ".github" / "actions" / "caches" / "action.yml"
# cache entry path -> files whose change must change its key (what invalidates the entry).
INVALIDATED_BY = {
    "~/.cache/journey-guard/plans": ["terraform/**", "functions/**", "requirements/lambda.txt", "journey_guard/terraform/hermetic.py"],
    "~/.cache/uv": ["requirements/*.txt"],
    "~/.cache/journey-guard/lambda-wheels": ["requirements/lambda.txt"],
    "~/.cache/journey-guard/terraform/plugin-cache": ["**/.terraform.lock.hcl"],
}


def _entries() -> dict[str, str]:
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    return {step["with"]["path"].strip(): step["with"]["key"] for step in steps if step["uses"].startswith("actions/cache@")}


def test_each_expensive_thing_is_cached_under_a_key_of_what_invalidates_it() -> None:
    entries = _entries()
    assert set(entries) == set(INVALIDATED_BY)
    for path, patterns in INVALIDATED_BY.items():
        hashed = re.findall(r"'([^']+)'", entries[path])
        assert set(patterns) <= set(hashed), f"{path}: key {entries[path]} misses {sorted(set(patterns) - set(hashed))}"


def test_the_cached_paths_are_where_the_code_keeps_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJA_CACHE_DIR", str(tmp_path / "journey-guard"))
    used = {
        paths.cache_dir("plans", "json"),
        paths.cache_dir("lambda-wheels", "key"),
        paths.cache_dir("terraform", "plugin-cache"),
    }
    cached = {Path(str(tmp_path)) / p.removeprefix("~/.cache/") for p in _entries() if "journey-guard" in p}
    assert all(any(u.is_relative_to(c) for c in cached) for u in used)
    # The literal directory names must be the ones the code asks cache_dir for.
    source = "\n".join(p.read_text() for p in (REPO / "journey_guard").rglob("*.py"))
    for name in ('"lambda-wheels"', '"plugin-cache"', 'cache_dir("plans"'):
        assert name in source, name


def test_every_job_that_runs_terraform_sessions_restores_the_caches() -> None:
    for workflow in (REPO / ".github" / "workflows").glob("*.yml"):
        for name, job in yaml.safe_load(workflow.read_text())["jobs"].items():
            runs = " ".join(step.get("run", "") for step in job.get("steps", []))
            if not re.search(r"nox -s (gate|integration|bench)\b", runs) or "test ! -e ~/.cache/journey-guard" in runs:
                continue  # no Terraform session, or a job that proves a session works with empty caches
            uses = [step.get("uses", "") for step in job["steps"]]
            assert "./.github/actions/caches" in uses, f"{workflow.name}: job {name} runs Terraform sessions without the caches"
