"""Mutation testing of the harness itself: ``python -m journey_guard.quality.mutants`` (``nox -s mutants``).

The catalogue (``tests/mutants/*.yaml``) lists small, valid, wrong edits of the repository: a file,
an exact text that occurs there once, its replacement, the spec fact or the policy id the edit
breaks, and the layer expected to catch it (``unit``, ``plan``, ``policy``, ``integration``)::

    defaults: {layer: plan}                 # optional, merged into every entry of the file
    mutants:
      - id: dev-kinesis-shard-count
        file: terraform/environments/dev.tfvars
        text: "kinesis_shard_count                = 1"
        replacement: "kinesis_shard_count                = 2"
        fact: dev.values.kinesis_shard_count     # or  policy: UJA_ENC_003  (or a list: every id must fail)
        env: dev                                 # plan/policy: the environment to judge (a tfvars file implies it)
        tests: [tests/plan/test_environments.py, -k, dev]   # pytest arguments (unit/plan/integration)
        expect: {error: "UJA_GATE_002"}          # only then does an error (matching the regex) count as a kill

Each mutant is applied to a temporary copy of the repository and the layer runs there. It is
killed only when a test assertion fails (or, for ``policy``, when its policy id fails); a plan or
Terraform validation error, an import or syntax error, a crash inside a test, a parse failure of the
gate (``UJA_GATE_002``) is an ERROR, the mutant broke the code, unless ``expect: error`` names it.
Every layer selection also runs once on the unmutated tree (its baseline): a selection that already
fails there can kill nothing. The plan and policy layers read the build artifacts of ``build/`` (not
rebuilt per mutant), and mutated plans go to a cache of their own (``~/.cache/journey-guard/mutants``). By default only the expected layer runs, and the other layers for
survivors; ``--all-layers`` runs unit, plan and policy for every mutant (integration for
integration-layer mutants and survivors). Results: a console table, ``build/mutants/mutants.json``
and ``mutants.md`` (the kill matrix); exit 1 on any survivor or error, 2 on a bad catalogue.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from journey_guard.paths import BUILD_DIR, REPO, cache_dir
from journey_guard.terraform import environments

CATALOGUE_DIR = REPO / "tests" / "mutants"
OUTPUT_DIR = BUILD_DIR / "mutants"
LAYERS = ("unit", "plan", "policy", "integration")
MATRIX_LAYERS = ("unit", "plan", "policy")  # --all-layers; integration only where it is needed
KILLED, SURVIVED, ERROR = "killed", "survived", "ERROR"
ENTRY_KEYS = {"id", "file", "text", "replacement", "fact", "policy", "layer", "env", "tests", "expect"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
ENV_TFVARS = re.compile(r"^terraform/environments/(?P<env>[a-z]+)\.tfvars$")
# The plan tests that judge one environment's own plan (the others render extra variants).
PLAN_TESTS = ("tests/plan/test_environments.py", "tests/plan/test_inventory.py", "tests/plan/test_security.py")
UNIT_ROOT = "tests/unit"
UNIT_POLICIES = "tests/unit/policies/"
PARSE_ERROR_ID = "UJA_GATE_002"
FAILED_LINE = re.compile(r"^\s+FAILED (\S+) ", re.MULTILINE)
PYTEST_PLUGIN = "journey_guard.quality.mutants_pytest"
REPORT_ENV = "UJA_MUTANT_REPORT"
# Copies never take these (ignored or generated), whatever the VCS says.
SKIP_PARTS = {".git", ".nox", "build", "__pycache__", ".terraform", ".pytest_cache", ".ruff_cache", ".hypothesis"}


class CatalogueError(ValueError):
    """The catalogue is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    text: str
    replacement: str
    layer: str
    source: str  # the catalogue file, repository-relative
    fact: str | None = None
    policy: tuple[str, ...] = ()
    env: str | None = None
    tests: tuple[str, ...] = ()
    expect_error: str | None = None

    @property
    def breaks(self) -> str:
        return ", ".join(self.policy) or self.fact or ""

    def apply(self, root: Path) -> None:
        """Make the edit in the tree at ``root``; the text must occur exactly once."""
        path = root / self.file
        text = path.read_text()
        if text.count(self.text) != 1:
            raise CatalogueError(f"{self.source}: mutant {self.id!r}: {self.file} holds its text {text.count(self.text)} times, not once")
        path.write_text(text.replace(self.text, self.replacement))


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------
def _entry(raw: Any, defaults: Mapping[str, Any], where: str, root: Path, source: str) -> Mutant:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: an entry must be a mapping, found {type(raw).__name__}")
    data = {**defaults, **raw}
    name = data.get("id")
    where = f"{where} ({name!r})" if name else where
    unknown = sorted(set(data) - ENTRY_KEYS)
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(ENTRY_KEYS)}")
    for key in ("id", "file", "text", "replacement", "layer"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise CatalogueError(f"{where}: field {key!r} must be a non-empty string")
    if not ID_PATTERN.match(name):
        raise CatalogueError(f"{where}: id must match {ID_PATTERN.pattern}")
    if data["layer"] not in LAYERS:
        raise CatalogueError(f"{where}: layer {data['layer']!r} is not one of {', '.join(LAYERS)}")
    if (data.get("fact") is None) == (data.get("policy") is None):
        raise CatalogueError(f"{where}: name exactly one of `fact` (a spec fact / coverage row) or `policy` (policy ids)")
    policy = data.get("policy") or []
    policy = [policy] if isinstance(policy, str) else policy
    if not isinstance(policy, list) or not all(isinstance(p, str) and p for p in policy):
        raise CatalogueError(f"{where}: `policy` must be a policy id or a list of them")
    if data["text"] == data["replacement"]:
        raise CatalogueError(f"{where}: replacement equals text: the edit changes nothing")
    tests = data.get("tests") or []
    if not isinstance(tests, list) or not all(isinstance(t, str) and t for t in tests):
        raise CatalogueError(f"{where}: `tests` must be a list of pytest arguments")
    expect = data.get("expect")
    pattern = None
    if expect is not None:
        if not isinstance(expect, dict) or set(expect) != {"error"} or not isinstance(expect["error"], str):
            raise CatalogueError(f"{where}: `expect` must be {{error: <regex>}}")
        pattern = expect["error"]
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogueError(f"{where}: expect.error is not a regular expression: {exc}") from exc
    implied = ENV_TFVARS.match(data["file"])
    env = data.get("env") or (implied["env"] if implied else None)
    known = environments.names(root / "terraform")
    if env is not None and env not in known:
        raise CatalogueError(f"{where}: env {env!r} is not one of {', '.join(known)} (terraform/environments/)")
    target = root / data["file"]
    if not target.is_file():
        raise CatalogueError(f"{where}: file {data['file']} does not exist")
    count = target.read_text().count(data["text"])
    if count != 1:
        raise CatalogueError(f"{where}: {data['file']} holds the text {count} times, it must hold it exactly once: {data['text']!r}")
    required = {key: data[key] for key in ("id", "file", "text", "replacement", "layer")}
    return Mutant(**required, source=source, fact=data.get("fact"), policy=tuple(policy), env=env, tests=tuple(tests), expect_error=pattern)


def load(directory: Path = CATALOGUE_DIR, root: Path = REPO) -> list[Mutant]:
    """Every mutant of ``directory/*.yaml``, validated against the tree at ``root``."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueError(f"{directory}: no *.yaml catalogue files")
    mutants: list[Mutant] = []
    seen: dict[str, str] = {}
    for path in files:
        source = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise CatalogueError(f"{source}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("mutants"), list) or set(data) - {"defaults", "mutants"}:
            raise CatalogueError(f"{source}: expected a mapping with `mutants` (a list) and optional `defaults`")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise CatalogueError(f"{source}: `defaults` must be a mapping")
        for index, raw in enumerate(data["mutants"]):
            mutant = _entry(raw, defaults, f"{source}: entry {index}", root, source)
            if mutant.id in seen:
                raise CatalogueError(f"{source}: entry {index}: id {mutant.id!r} is already used in {seen[mutant.id]}")
            seen[mutant.id] = source
            mutants.append(mutant)
    return mutants


def select(mutants: Iterable[Mutant], only: Sequence[str] = (), changed: set[str] | None = None) -> list[Mutant]:
    """Mutants whose id matches one of ``only`` (globs), and whose file is in ``changed`` when given."""
    return [
        m
        for m in mutants
        if (not only or any(fnmatch.fnmatchcase(m.id, pattern) for pattern in only)) and (changed is None or m.file in changed)
    ]


def changed_files(base: str, root: Path = REPO) -> set[str]:
    """Files the change touches: ``git diff`` from the merge base with ``base`` to the working tree."""
    proc = subprocess.run(["git", "-C", str(root), "diff", "--name-only", f"{base}...HEAD"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CatalogueError(f"--changed-since {base}: git diff failed: {proc.stderr.strip()}")
    local = subprocess.run(["git", "-C", str(root), "diff", "--name-only", "HEAD"], capture_output=True, text=True, check=False)
    return {line for line in (proc.stdout + local.stdout).splitlines() if line}


# ---------------------------------------------------------------------------
# Running one layer
# ---------------------------------------------------------------------------
@dataclass
class Verdict:
    status: str  # killed, survived, ERROR
    detail: str
    seconds: float = 0.0


@dataclass
class Result:
    mutant: Mutant
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        expected = self.verdicts.get(self.mutant.layer)
        return expected.status if expected else ERROR


def source_files(root: Path) -> list[str]:
    """The repository's files as a checkout has them (tracked and new, never ignored or generated)."""
    proc = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, check=False
    )
    names = proc.stdout.decode().split("\0") if proc.returncode == 0 else [p.relative_to(root).as_posix() for p in root.rglob("*")]
    return sorted(n for n in names if n and not SKIP_PARTS.intersection(Path(n).parts) and (root / n).is_file())


def copy_tree(root: Path, files: Sequence[str], dst: Path) -> Path:
    for name in files:
        target = dst / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    return dst


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _matches(pattern: str | None, text: str) -> bool:
    return pattern is not None and re.search(pattern, text) is not None


class Runner:
    """Runs layers in copies of ``root``; remembers each selection's baseline on the unmutated tree."""

    def __init__(self, root: Path, python: str, policy_python: str | None, work: Path) -> None:
        self.root, self.python, self.policy_python, self.work = root, python, policy_python, work
        self.files = source_files(root)
        self._baselines: dict[tuple[str, ...], tuple[str, set[str]]] = {}
        self._locks: dict[tuple[str, ...], threading.Lock] = {}
        self._guard = threading.Lock()
        self._clean: Path | None = None
        self._running: set[subprocess.Popen[str]] = set()
        self.stopped = False

    def env(self, tree: Path, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("UJA_BUILD_DIR", str(BUILD_DIR))
        # Mutated plans go to their own cache: they never evict the plans everyone else reuses.
        env.setdefault("UJA_PLAN_CACHE_DIR", str(cache_dir("mutants", "plans")))
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env.pop("PYTEST_ADDOPTS", None)
        env.update(extra)
        return env

    def _call(self, cmd: Sequence[str], tree: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """Run ``cmd`` in its own process group, so ``stop`` can end it with every Terraform it started."""
        if self.stopped:
            raise subprocess.SubprocessError("stopped")
        proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        with self._guard:
            self._running.add(proc)
        try:
            out, err = proc.communicate()
        finally:
            with self._guard:
                self._running.discard(proc)
        return subprocess.CompletedProcess(cmd, proc.returncode, out, err)

    def stop(self) -> None:
        """End every running layer (SIGTERM to its process group); no new one starts."""
        self.stopped = True
        with self._guard:
            running = list(self._running)
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)

    def clean_tree(self) -> Path:
        """One unmutated copy, shared by every baseline (the working tree itself is never run in)."""
        with self._guard:
            if self._clean is None:
                self._clean = copy_tree(self.root, self.files, self.work / "_clean")
            return self._clean

    # -- selections --------------------------------------------------------
    def tests_for(self, mutant: Mutant, layer: str) -> list[str]:
        """pytest arguments for ``layer`` on ``mutant``: its own ``tests`` for its layer, else a default."""
        if layer == mutant.layer and mutant.tests:
            return list(mutant.tests)
        if layer == "plan":
            return [*PLAN_TESTS, "-k", mutant.env or "dev"]
        if layer == "integration":
            return ["tests/integration"]
        return self.unit_tests_for(mutant.file)

    def unit_tests_for(self, file: str) -> list[str]:
        """The unit tests of ``file``: tests/unit/<pkg> for functions/<pkg>/..., and every unit test module
        that names it (``common.scoring.exit_risk``, ``modules/keys/main.tf``); none when nothing does."""
        parts = Path(file).with_suffix("").parts if file.endswith(".py") else Path(file).parts
        if parts[0] == "functions":
            dotted = ".".join(parts[1:])
            needles = (dotted, f"from {'.'.join(parts[1:-1])} import {parts[-1]}")
        else:
            needles = (Path(*parts[1:]).as_posix(),)  # terraform/modules/keys/main.tf -> modules/keys/main.tf
        package = [f"{UNIT_ROOT}/{parts[1]}"] if parts[0] == "functions" and (self.root / UNIT_ROOT / parts[1]).is_dir() else []
        naming = [
            name
            for name in self.files
            if name.startswith(f"{UNIT_ROOT}/")
            and not name.startswith(UNIT_POLICIES)  # the policy layer's own tests (checkov's virtualenv)
            and not any(name.startswith(f"{p}/") for p in package)
            and name.endswith(".py")
            and any(n in (self.root / name).read_text(errors="replace") for n in needles)
        ]
        return package + sorted(naming)

    # -- layers ------------------------------------------------------------
    def run_layer(self, layer: str, mutant: Mutant, tree: Path) -> Verdict:
        start = time.perf_counter()
        try:
            verdict = self._policy(mutant, tree) if layer == "policy" else self._pytest(layer, mutant, tree)
        except (OSError, subprocess.SubprocessError) as exc:
            verdict = Verdict(ERROR, f"{layer}: could not run: {exc}")
        verdict.seconds = round(time.perf_counter() - start, 2)
        return verdict

    def _baseline(self, key: tuple[str, ...], compute: Any) -> tuple[str, set[str]]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._baselines:
                self._baselines[key] = compute()
            return self._baselines[key]

    def _pytest(self, layer: str, mutant: Mutant, tree: Path) -> Verdict:
        args = self.tests_for(mutant, layer)
        if not args:
            return Verdict(SURVIVED, f"no test under {UNIT_ROOT} reads {mutant.file}")
        key = ("pytest", layer, *args)
        base_status, base_failures = self._baseline(key, lambda: self._pytest_run(args, self.clean_tree(), None))
        if base_status != SURVIVED:
            return Verdict(ERROR, f"{layer} baseline ({' '.join(args)}) fails on the unmutated tree: {base_failures}")
        status, detail = self._pytest_run(args, tree, mutant.expect_error)
        return Verdict(status, next(iter(detail)) if detail else f"{' '.join(args)}: every test passed")

    def _pytest_run(self, args: Sequence[str], tree: Path, expect_error: str | None) -> tuple[str, set[str]]:
        fd, report = tempfile.mkstemp(prefix="mutant-", suffix=".jsonl", dir=self.work)
        os.close(fd)
        cmd = [self.python, "-m", "pytest", "-p", PYTEST_PLUGIN, "-p", "no:cacheprovider", "-q", "-x", "--no-header", *args]
        proc = self._call(cmd, tree, self.env(tree, **{REPORT_ENV: report}))
        records = [json.loads(line) for line in Path(report).read_text().splitlines() if line.strip()]
        Path(report).unlink()
        return classify(proc.returncode, records, proc.stdout + proc.stderr, expect_error)

    def _policy(self, mutant: Mutant, tree: Path) -> Verdict:
        if not self.policy_python:
            return Verdict(ERROR, "policy layer: no policy virtualenv (--policy-python or UJA_POLICY_PYTHON)")
        targets = set(mutant.policy) if mutant.layer == "policy" else set()
        verdict = Verdict(SURVIVED, "")
        # HCL first (seconds); the plan scan (a render) only when HCL alone does not catch it. The HCL
        # scan waives at least as much as the whole gate, so a kill here is a kill by the gate.
        for scan in (["--no-plans"], []):
            args = ["--env", mutant.env or "all", *scan]
            key = ("policy", *args)
            base_status, base_ids = self._baseline(key, lambda a=args: self._policy_run(a, self.clean_tree()))
            if base_status == ERROR:
                return Verdict(ERROR, f"policy baseline ({' '.join(args)}) cannot run on the unmutated tree: {base_ids}")
            status, ids = self._policy_run(args, tree)
            new = ids - base_ids
            if status == ERROR or PARSE_ERROR_ID in new:
                text = " ".join(sorted(ids)) if status != ERROR else next(iter(ids), "")
                if _matches(mutant.expect_error, text):
                    return Verdict(KILLED, f"expected error: {text[:300]}")
                return Verdict(ERROR, f"policies check {' '.join(args)}: {text[:600]}")
            if (targets <= new) if targets else bool(new):
                return Verdict(KILLED, f"policies check {' '.join(args)} failed on {', '.join(sorted(new))}")
            missing = f"{', '.join(sorted(targets - new))} did not fail; " if targets else ""
            verdict = Verdict(SURVIVED, f"{missing}the gate failed on {', '.join(sorted(new)) or 'nothing'}")
        return verdict

    def _policy_run(self, args: Sequence[str], tree: Path) -> tuple[str, set[str]]:
        cmd = [str(self.policy_python), "-m", "policies", "check", "terraform", "--format", "cli", *args]
        proc = self._call(cmd, tree, self.env(tree))
        if proc.returncode not in (0, 1):
            return ERROR, {f"exit {proc.returncode}: {_tail(proc.stderr or proc.stdout)}"}
        return (KILLED if proc.returncode else SURVIVED), set(FAILED_LINE.findall(proc.stdout))

    # -- one mutant --------------------------------------------------------
    def run(self, mutant: Mutant, all_layers: bool, integration: bool = True) -> Result:
        start = time.perf_counter()
        result = Result(mutant)
        tree = copy_tree(self.root, self.files, self.work / mutant.id)
        try:
            mutant.apply(tree)
            result.verdicts[mutant.layer] = self.run_layer(mutant.layer, mutant, tree)
            survived = result.status == SURVIVED
            others = [layer for layer in (MATRIX_LAYERS if all_layers or survived else ()) if layer != mutant.layer]
            if survived and integration and mutant.layer != "integration":
                others.append("integration")
            for layer in others:
                result.verdicts[layer] = self.run_layer(layer, mutant, tree)
        except CatalogueError as exc:
            result.verdicts[mutant.layer] = Verdict(ERROR, str(exc))
        finally:
            shutil.rmtree(tree, ignore_errors=True)
        result.seconds = round(time.perf_counter() - start, 2)
        return result


def classify(returncode: int, records: Sequence[Mapping[str, Any]], output: str, expect_error: str | None) -> tuple[str, set[str]]:
    """pytest's exit code and the plugin's records -> (killed | survived | ERROR, details).

    Killed: a failed assertion and no error. ERROR: anything else that failed (collection, a fixture,
    a crash), unless it matches ``expect_error``; or pytest ended abnormally without failing a test.
    """
    errors = [r for r in records if not r["assertion"]]
    assertions = [r for r in records if r["assertion"]]
    if errors:
        text = "\n".join(f"{r['test']} ({r['when']}): {r['message']}" for r in errors)
        if _matches(expect_error, text):
            return KILLED, {f"expected error: {text[:400]}"}
        return ERROR, {text[:800]}
    if assertions:
        if expect_error is not None:
            return ERROR, {f"expected an error matching {expect_error!r}, got an assertion: {assertions[0]['message'][:300]}"}
        first = assertions[0]
        return KILLED, {f"{first['test']}: {first['message'][:400]}"}
    if returncode == 0:
        return SURVIVED, set()
    return ERROR, {f"pytest exited {returncode} without a failed test: {_tail(output)}"}


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------
def _cell(result: Result, layer: str) -> str:
    verdict = result.verdicts.get(layer)
    if verdict is None:
        return ""
    return f"{verdict.status}*" if layer == result.mutant.layer else verdict.status


def table(results: Sequence[Result]) -> list[list[str]]:
    rows = [["mutant", "breaks", *LAYERS, "result", "seconds"]]
    for r in results:
        rows.append([r.mutant.id, r.mutant.breaks, *(_cell(r, layer) for layer in LAYERS), r.status, f"{r.seconds:.1f}"])
    return rows


def summary(results: Sequence[Result], seconds: float) -> dict[str, Any]:
    counts = {status: sum(r.status == status for r in results) for status in (KILLED, SURVIVED, ERROR)}
    total = len(results)
    return {
        "mutants": total,
        **counts,
        "kill_rate": round(counts[KILLED] / total, 4) if total else 1.0,
        "seconds": round(seconds, 1),
        "seconds_per_mutant": round(sum(r.seconds for r in results) / total, 2) if total else 0.0,
        "seconds_per_layer": {
            layer: round(sum(v.seconds for v in times) / len(times), 2)
            for layer in LAYERS
            if (times := [r.verdicts[layer] for r in results if layer in r.verdicts])
        },
    }


def console(results: Sequence[Result], totals: Mapping[str, Any]) -> str:
    rows = table(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    for r in results:
        if r.status != KILLED:
            lines += [f"{r.status}: {r.mutant.id} ({r.mutant.source})"]
            lines += [f"  {layer}: {v.status}: {v.detail}" for layer, v in r.verdicts.items()]
    lines.append(
        f"{totals['killed']}/{totals['mutants']} killed ({totals['kill_rate']:.1%}), {totals['survived']} survived, "
        f"{totals['ERROR']} errors in {totals['seconds']:.0f} s ({totals['seconds_per_mutant']:.1f} s per mutant); * = expected layer"
    )
    return "\n".join(lines)


def markdown(results: Sequence[Result], totals: Mapping[str, Any], mode: str) -> str:
    rows = table(results)
    out = [
        f"## Mutation testing ({mode})",
        "",
        f"**{totals['killed']}/{totals['mutants']} killed ({totals['kill_rate']:.1%})**, {totals['survived']} survived, "
        f"{totals['ERROR']} errors; {totals['seconds']:.0f} s, {totals['seconds_per_mutant']:.1f} s per mutant. "
        "`*` marks the layer the catalogue expects to catch the mutant.",
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|" + "---|" * len(rows[0]),
    ]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[1:]]
    problems = [r for r in results if r.status != KILLED]
    if problems:
        out += ["", "### Survivors and errors", ""]
        for r in problems:
            out.append(f"- **{r.mutant.id}** ({r.status}, `{r.mutant.file}`, {r.mutant.source})")
            out += [f"  - {layer}: {v.status}: `{v.detail.splitlines()[0][:300] if v.detail else ''}`" for layer, v in r.verdicts.items()]
    return "\n".join(out) + "\n"


def write_reports(results: Sequence[Result], totals: Mapping[str, Any], mode: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "summary": totals,
        "mutants": [
            {
                **{k: v for k, v in asdict(r.mutant).items() if k not in ("text", "replacement")},
                "status": r.status,
                "seconds": r.seconds,
                "layers": {layer: asdict(v) for layer, v in r.verdicts.items()},
            }
            for r in results
        ],
    }
    (out / "mutants.json").write_text(json.dumps(data, indent=2) + "\n")
    (out / "mutants.md").write_text(markdown(results, totals, mode))


def run_all(mutants: Sequence[Mutant], runner: Runner, *, all_layers: bool, workers: int, integration: bool = True) -> list[Result]:
    """Mutants in parallel (each its own copy and processes), results in catalogue order."""

    def one(mutant: Mutant) -> Result:
        result = runner.run(mutant, all_layers, integration)
        print(f"  {result.status:<8} {mutant.id} ({result.seconds:.0f} s)", file=sys.stderr, flush=True)
        return result

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(one, mutants))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.quality.mutants", description=__doc__.splitlines()[0])
    parser.add_argument("--all-layers", action="store_true", help="the full kill matrix: unit, plan and policy for every mutant")
    parser.add_argument("--no-integration", action="store_true", help="never run the integration layer for survivors (a moto apply each)")
    parser.add_argument("--changed-since", metavar="REF", help="only mutants whose file changed since the merge base with REF")
    parser.add_argument("--only", action="append", default=[], metavar="GLOB", help="only mutants whose id matches (repeatable)")
    parser.add_argument(
        "--layer", action="append", default=[], choices=LAYERS, help="only mutants expected to fail this layer (repeatable)"
    )
    parser.add_argument("--workers", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--policy-python", default=os.environ.get("UJA_POLICY_PYTHON"), help="python of the policy virtualenv (checkov)")
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE_DIR, help="directory of *.yaml catalogue files")
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR, help="where mutants.json and mutants.md go")
    parser.add_argument("--check", action="store_true", help="validate the catalogue and list it; run nothing")
    args = parser.parse_args(argv)
    try:
        mutants = load(args.catalogue.resolve())
        chosen = select(mutants, args.only, changed_files(args.changed_since) if args.changed_since else None)
        chosen = [m for m in chosen if not args.layer or m.layer in args.layer]
    except CatalogueError as exc:
        print(f"mutants: {exc}", file=sys.stderr)
        return 2
    if args.check:
        for m in chosen:
            print(f"{m.id:<48} {m.layer:<11} {m.breaks:<40} {m.file}")
        print(f"{len(chosen)} of {len(mutants)} mutants valid", file=sys.stderr)
        return 0
    mode = "all layers" if args.all_layers else "expected layer, other layers for survivors"
    print(f"mutants: {len(chosen)} of {len(mutants)} ({mode})", file=sys.stderr)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="uja-mutants-") as tmp:
        # Absolute but not resolved: a virtualenv's python is a symlink that must keep its path.
        policy_python = os.path.abspath(args.policy_python) if args.policy_python else None
        runner = Runner(REPO, sys.executable, policy_python, Path(tmp))
        # A cancelled CI job or Ctrl-C ends the layers' process groups too, not only this process.
        signal.signal(signal.SIGTERM, lambda *_: (runner.stop(), sys.exit(130)))
        try:
            results = run_all(chosen, runner, all_layers=args.all_layers, workers=args.workers, integration=not args.no_integration)
        except BaseException:
            runner.stop()
            raise
    totals = summary(results, time.perf_counter() - start)
    print(console(results, totals))
    write_reports(results, totals, mode, args.output_dir)
    print(f"reports: {args.output_dir / 'mutants.json'}, {args.output_dir / 'mutants.md'}", file=sys.stderr)
    return 0 if totals["killed"] == totals["mutants"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
