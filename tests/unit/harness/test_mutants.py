"""The mutation runner: catalogue validation, kill versus ERROR, expected errors, reports, coverage.

The runner is exercised end to end on a tiny repository in a temp directory (one module, one test
file): real pytest subprocesses with the outcome plugin, no Terraform. The real catalogue is
validated against the real tree and checked to cover every fact it must.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from journey_guard.paths import REPO
from journey_guard.quality import mutants
from journey_guard.terraform import environments

ENTRY = {"id": "limit-four", "file": "calc.py", "text": "LIMIT = 3", "replacement": "LIMIT = 4", "fact": "limit is 3", "layer": "unit"}


def _catalogue(root: Path, *entries: dict[str, Any], name: str = "cat.yaml", defaults: dict | None = None) -> Path:
    directory = root / "tests" / "mutants"
    directory.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"mutants": list(entries)}
    if defaults:
        data["defaults"] = defaults
    (directory / name).write_text(yaml.safe_dump(data))
    return directory


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with one module and a unit test that asserts its constant."""
    (tmp_path / "calc.py").write_text("# the limit\nLIMIT = 3\n\n\ndef double(x):\n    return 2 * x\n")
    tests = tmp_path / "tests" / "unit"
    tests.mkdir(parents=True)
    (tests / "test_calc.py").write_text(
        "import calc\n\n\ndef test_limit():\n    assert calc.LIMIT == 3\n\n\ndef test_double():\n    assert calc.double(2) == 4\n"
    )
    (tmp_path / "terraform" / "environments").mkdir(parents=True)
    (tmp_path / "terraform" / "environments" / "prod.tfvars").write_text("kinesis_shard_count = 4\n")
    (tmp_path / "terraform" / "environments" / "prod-backend.hcl").write_text("encrypt = true\n")
    return tmp_path


def _load_error(repo: Path, **changes: Any) -> str:
    entry = {k: v for k, v in {**ENTRY, **changes}.items() if v is not None}
    with pytest.raises(mutants.CatalogueError) as info:
        mutants.load(_catalogue(repo, entry), repo)
    return str(info.value)


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------
def test_load_reads_entries_merges_defaults_and_implies_the_environment(repo: Path) -> None:
    tfvars = {
        "id": "prod-shards",
        "file": "terraform/environments/prod.tfvars",
        "text": "= 4",
        "replacement": "= 2",
        "policy": ["UJA_ENV_005", "CKV_X"],
    }
    directory = _catalogue(repo, ENTRY, {**tfvars, "layer": "policy"}, defaults={"layer": "unit"})
    loaded = {m.id: m for m in mutants.load(directory, repo)}
    assert loaded["limit-four"].layer == "unit" and loaded["limit-four"].breaks == "limit is 3"
    assert loaded["limit-four"].source == "tests/mutants/cat.yaml"
    assert (loaded["prod-shards"].layer, loaded["prod-shards"].env, loaded["prod-shards"].breaks) == (
        "policy",
        "prod",
        "UJA_ENV_005, CKV_X",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "LIMIT = 5"}, "calc.py holds the text 0 times, it must hold it exactly once: 'LIMIT = 5'"),
        ({"text": "\n"}, "calc.py holds the text 6 times"),
        ({"file": "nope.py"}, "file nope.py does not exist"),
        ({"layer": "smoke"}, "layer 'smoke' is not one of unit, plan, policy, integration"),
        ({"policy": "UJA_X_001"}, "name exactly one of `fact`"),
        ({"fact": None}, "name exactly one of `fact`"),
        ({"fact": None, "policy": [1]}, "`policy` must be a policy id or a list of them"),
        ({"replacement": "LIMIT = 3"}, "replacement equals text"),
        ({"expect": {"error": "("}}, "expect.error is not a regular expression"),
        ({"expect": "error"}, "`expect` must be {error: <regex>}"),
        ({"tests": "tests/unit"}, "`tests` must be a list"),
        ({"env": "qa"}, "env 'qa' is not one of prod (terraform/environments/)"),
        ({"colour": "red"}, "unknown field(s) ['colour']"),
        ({"id": "Limit Four"}, "id must match"),
        ({"text": None}, "field 'text' must be a non-empty string"),
    ],
)
def test_bad_entries_are_refused_naming_file_and_entry(repo: Path, changes: dict[str, Any], message: str) -> None:
    error = _load_error(repo, **changes)
    assert error.startswith("tests/mutants/cat.yaml: entry 0"), error
    assert message in error


def test_a_duplicate_id_names_both_files(repo: Path) -> None:
    _catalogue(repo, ENTRY, name="a.yaml")
    directory = _catalogue(repo, ENTRY, name="b.yaml")
    with pytest.raises(
        mutants.CatalogueError, match=r"tests/mutants/b.yaml: entry 0: id 'limit-four' is already used in tests/mutants/a.yaml"
    ):
        mutants.load(directory, repo)


@pytest.mark.parametrize("content", ["- just a list\n", "mutants: {}\n", "mutants: []\nextra: 1\n", "mutants: [\n"])
def test_a_malformed_file_is_refused_by_name(repo: Path, content: str) -> None:
    directory = repo / "tests" / "mutants"
    directory.mkdir(parents=True)
    (directory / "broken.yaml").write_text(content)
    with pytest.raises(mutants.CatalogueError, match=r"^tests/mutants/broken.yaml: "):
        mutants.load(directory, repo)


def test_select_by_id_glob_and_by_changed_file(repo: Path) -> None:
    other = {**ENTRY, "id": "double-triples", "text": "2 * x", "replacement": "3 * x"}
    loaded = mutants.load(_catalogue(repo, ENTRY, other), repo)
    assert [m.id for m in mutants.select(loaded, ["double-*"])] == ["double-triples"]
    assert [m.id for m in mutants.select(loaded, changed={"calc.py"})] == ["limit-four", "double-triples"]
    assert mutants.select(loaded, changed={"README.md"}) == []


# ---------------------------------------------------------------------------
# Kill versus ERROR
# ---------------------------------------------------------------------------
def _record(assertion: bool, message: str = "boom", when: str = "call") -> dict[str, Any]:
    return {
        "test": "t.py::x",
        "when": when,
        "type": "AssertionError" if assertion else "PlanError",
        "assertion": assertion,
        "message": message,
    }


@pytest.mark.parametrize(
    ("returncode", "records", "expect", "status"),
    [
        (1, [_record(True)], None, mutants.KILLED),
        (1, [_record(False, "PlanError: Invalid value for variable", "setup")], None, mutants.ERROR),
        (1, [_record(True), _record(False)], None, mutants.ERROR),
        (1, [_record(False, "SyntaxError: invalid syntax", "collect")], "SyntaxError", mutants.KILLED),
        (1, [_record(False, "ImportError: x", "collect")], "SyntaxError", mutants.ERROR),
        (1, [_record(True)], "SyntaxError", mutants.ERROR),
        (0, [], None, mutants.SURVIVED),
        (5, [], None, mutants.ERROR),
        (2, [], None, mutants.ERROR),
    ],
)
def test_classify(returncode: int, records: list[dict[str, Any]], expect: str | None, status: str) -> None:
    assert mutants.classify(returncode, records, "", expect)[0] == status


@pytest.fixture
def runner(repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> mutants.Runner:
    # The plugin (journey_guard.quality.mutants_pytest) must import in the copy's pytest: put the real repo on the path.
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return mutants.Runner(repo, sys.executable, None, tmp_path_factory.mktemp("work"))


def _run(runner: mutants.Runner, all_layers: bool = False, integration: bool = True, **changes: Any) -> mutants.Result:
    entry = {**ENTRY, "tests": ["tests/unit"], **changes}
    (mutant,) = mutants.load(_catalogue(runner.root, entry), runner.root)
    return runner.run(mutant, all_layers=all_layers, integration=integration)


def test_a_changed_value_is_killed_by_the_assertion(runner: mutants.Runner) -> None:
    result = _run(runner)
    assert result.status == mutants.KILLED
    assert "test_limit" in result.verdicts["unit"].detail and "assert 4 == 3" in result.verdicts["unit"].detail
    assert (runner.root / "calc.py").read_text().count("LIMIT = 3") == 1  # the edit went to a copy
    assert not (runner.work / "limit-four").exists()  # and the copy is gone


def test_a_syntax_error_is_an_error_not_a_kill(runner: mutants.Runner) -> None:
    result = _run(runner, replacement="LIMIT = = 3")
    assert result.status == mutants.ERROR
    assert "SyntaxError" in result.verdicts["unit"].detail or "invalid syntax" in result.verdicts["unit"].detail


def test_a_declared_error_counts_as_the_kill(runner: mutants.Runner) -> None:
    assert _run(runner, replacement="LIMIT = = 3", expect={"error": "SyntaxError|invalid syntax"}).status == mutants.KILLED


def test_a_crash_inside_a_test_is_an_error(runner: mutants.Runner) -> None:
    result = _run(runner, id="double-crashes", text="return 2 * x", replacement="return 2 * undefined_name")
    assert result.status == mutants.ERROR and "NameError" in result.verdicts["unit"].detail


def test_a_survivor_runs_the_other_layers(runner: mutants.Runner) -> None:
    result = _run(runner, id="comment", text="# the limit", replacement="# the ceiling")
    assert result.status == mutants.SURVIVED
    # Unit was the expected layer; plan and policy were tried too (policy: no virtualenv given -> ERROR).
    assert set(result.verdicts) == {"unit", "plan", "policy", "integration"}
    assert result.verdicts["policy"].status == mutants.ERROR


# The runner's rule (issue 19): the expected layer always; unit, plan and policy for survivors or with
# --all-layers; integration only for survivors (and integration-layer mutants), never with --no-integration.
@pytest.mark.parametrize(
    ("replacement", "all_layers", "integration", "layers"),
    [
        ("LIMIT = 4", False, True, {"unit"}),
        ("LIMIT = 4", True, True, {"unit", "plan", "policy"}),
        ("LIMIT = 3  # same value", False, False, {"unit", "plan", "policy"}),
        ("LIMIT = 3  # same value", True, True, {"unit", "plan", "policy", "integration"}),
    ],
    ids=["killed", "killed-all-layers", "survivor-no-integration", "survivor-all-layers"],
)
def test_layers_run_for_a_mutant(runner: mutants.Runner, replacement: str, all_layers: bool, integration: bool, layers: set[str]) -> None:
    result = _run(runner, all_layers, integration, replacement=replacement)
    assert result.status == (mutants.KILLED if replacement == "LIMIT = 4" else mutants.SURVIVED)
    assert set(result.verdicts) == layers


def test_a_selection_failing_on_the_unmutated_tree_kills_nothing(runner: mutants.Runner) -> None:
    (runner.root / "tests" / "unit" / "test_calc.py").write_text("def test_broken():\n    assert False\n")
    runner.files = mutants.source_files(runner.root)
    result = _run(runner)
    assert result.status == mutants.ERROR and "baseline" in result.verdicts["unit"].detail


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------
def test_reports_hold_the_matrix_and_the_survivors(repo: Path, tmp_path: Path) -> None:
    (killed, survived) = mutants.load(
        _catalogue(repo, ENTRY, {**ENTRY, "id": "comment", "text": "# the limit", "replacement": "# x"}), repo
    )
    results = [
        mutants.Result(killed, {"unit": mutants.Verdict(mutants.KILLED, "t::x: assert 4 == 3", 1.5)}, 2.0),
        mutants.Result(
            survived, {"unit": mutants.Verdict(mutants.SURVIVED, "passed", 1.0), "plan": mutants.Verdict(mutants.KILLED, "p", 3.0)}, 4.0
        ),
    ]
    totals = mutants.summary(results, 6.0)
    assert (totals["killed"], totals["survived"], totals["kill_rate"], totals["seconds_per_mutant"]) == (1, 1, 0.5, 3.0)
    assert totals["seconds_per_layer"] == {"unit": 1.25, "plan": 3.0}
    mutants.write_reports(results, totals, "test", tmp_path / "out")
    data = json.loads((tmp_path / "out" / "mutants.json").read_text())
    assert [m["status"] for m in data["mutants"]] == ["killed", "survived"]
    md = (tmp_path / "out" / "mutants.md").read_text()
    assert "| limit-four | limit is 3 | killed* |  |  |  | killed | 2.0 |" in md
    assert "| comment | limit is 3 | survived* | killed |  |  | survived | 4.0 |" in md
    assert "- **comment** (survived" in md
    text = mutants.console(results, totals)
    assert "survived: comment (tests/mutants/cat.yaml)" in text and "1/2 killed (50.0%)" in text


# ---------------------------------------------------------------------------
# The real catalogue
# ---------------------------------------------------------------------------
def test_the_real_catalogue_is_valid_against_the_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert mutants.main(["--check"]) == 0
    assert f"{len(mutants.load())} of {len(mutants.load())} mutants valid" in capsys.readouterr().err


def test_the_catalogue_covers_every_value_of_every_environment() -> None:
    # Section 2 of the spec, one column per environment: every `name = value` of its tfvars file.
    edited = {(m.file, line.split("=")[0].strip()) for m in mutants.load() for line in m.text.splitlines() if "=" in line}
    missing = [
        f"{tfvars.relative_to(REPO)}: {line.split('=')[0].strip()}"
        for env in environments.names()
        for tfvars in [REPO / "terraform" / "environments" / f"{env}.tfvars"]
        for line in tfvars.read_text().splitlines()
        if "=" in line
        and not line.startswith(("#", "environment "))
        and (f"terraform/environments/{env}.tfvars", line.split("=")[0].strip()) not in edited
    ]
    assert missing == [], f"no mutant changes {missing}: add one to tests/mutants/"


def test_the_catalogue_covers_every_listed_spec_fact() -> None:
    listed = yaml.safe_load((REPO / "docs" / "spec-facts.yaml").read_text())
    facts = {f["id"] for layer in ("plan", "unit", "integration") for f in listed.get(layer) or []}
    covered = {m.fact for m in mutants.load() if m.fact}
    assert sorted(facts - covered) == [], "spec facts without a mutant (add them to tests/mutants/)"


def test_default_unit_selection_is_the_package_and_the_modules_naming_the_file(runner: mutants.Runner) -> None:
    root = runner.root
    for name, text in {
        "functions/shop/rules.py": "LIMIT = 3\n",
        "tests/unit/shop/test_rules.py": "",
        "tests/unit/models/test_scoring.py": "from shop.rules import LIMIT\n",
        "tests/unit/models/test_other.py": "import calc\n",
        "tests/unit/deploy/test_tf.py": "KEYS = 'modules/keys/main.tf'\n",
        "tests/unit/policies/test_gate.py": "KEYS = 'modules/keys/main.tf'\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    runner.files = mutants.source_files(root)
    assert runner.unit_tests_for("functions/shop/rules.py") == ["tests/unit/shop", "tests/unit/models/test_scoring.py"]
    assert runner.unit_tests_for("terraform/modules/keys/main.tf") == ["tests/unit/deploy/test_tf.py"]  # never the policy tests
    assert runner.unit_tests_for("terraform/modules/ml/main.tf") == []
