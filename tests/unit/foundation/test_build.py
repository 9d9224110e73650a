"""The build step: byte-identical artifacts for identical sources, skipped work when unchanged."""

from __future__ import annotations

import ast
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from journey_guard.paths import REPO
from journey_guard.terraform import build


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A miniature functions/ tree, and no wheels (they are tested by the real build in CI)."""
    root = tmp_path / "functions"
    for package in ["common", *build.FUNCTIONS.values()]:
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text(f"# {package}\n")
    (root / "event_processor" / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    (root / "sagemaker_inference" / "exit_risk").mkdir(parents=True)
    (root / "sagemaker_inference" / "exit_risk" / "inference.py").write_text("def model_fn(d):\n    return None\n")
    monkeypatch.setattr(build, "FUNCTIONS_DIR", root)
    monkeypatch.setattr(build, "lambda_wheels", lambda offline=False: None)
    monkeypatch.delenv("UJA_FLINK_CONNECTOR_JAR", raising=False)
    return root


def test_same_sources_give_same_bytes(sources: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    build.Builder(first).run()
    (sources / "event_processor" / "handler.py").touch()  # a new mtime must not matter
    build.Builder(second).run()
    for artifact in ["lambda/event-processor.zip", "models/exit-risk.tar.gz", "flink/sessions.zip"]:
        assert _sha(first / artifact) == _sha(second / artifact), artifact


def test_lambda_zip_layout_is_the_spec_contract(sources: Path, tmp_path: Path) -> None:
    build.Builder(tmp_path / "out").run()
    with zipfile.ZipFile(tmp_path / "out" / "lambda" / "event-processor.zip") as zf:
        names = set(zf.namelist())
        assert {"common/__init__.py", "event_processor/__init__.py", "event_processor/handler.py"} <= names
        assert not any(n.startswith("struggle_detector/") for n in names)
        assert {info.date_time for info in zf.infolist()} == {build.ZIP_EPOCH}


def test_model_artifact_holds_inference_and_scoring(sources: Path, tmp_path: Path) -> None:
    build.Builder(tmp_path / "out").run()
    data = (tmp_path / "out" / "models" / "exit-risk.tar.gz").read_bytes()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert {"code/inference.py", "code/common/__init__.py"} <= set(tar.getnames())
        assert {m.mtime for m in tar.getmembers()} == {0}


def test_unchanged_sources_are_skipped_and_a_change_rebuilds_only_its_artifacts(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build.Builder(out).run()["skipped"] == []
    assert build.Builder(out).run()["built"] == []
    (sources / "event_processor" / "handler.py").write_text("def handler(event, context):\n    return {'changed': True}\n")
    assert build.Builder(out).run()["built"] == ["event-processor"]


def test_shared_package_change_rebuilds_every_function_and_model(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build.Builder(out).run()
    (sources / "common" / "__init__.py").write_text("# changed\n")
    built = set(build.Builder(out).run()["built"])
    assert set(build.FUNCTIONS) | set(build.MODELS) <= built


def test_flink_without_connector_jar_leaves_a_marker(sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build.Builder(out).run()
    assert (out / "flink" / "MISSING_JAR").exists()
    jar = tmp_path / "connector.jar"
    jar.write_bytes(b"jar")
    monkeypatch.setenv("UJA_FLINK_CONNECTOR_JAR", str(jar))
    build.Builder(out).run()
    assert not (out / "flink" / "MISSING_JAR").exists()
    with zipfile.ZipFile(out / "flink" / "sessions.zip") as zf:
        assert "lib/connector.jar" in zf.namelist()


def test_connector_jar_that_does_not_exist_is_named(sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UJA_FLINK_CONNECTOR_JAR", str(tmp_path / "nope.jar"))
    with pytest.raises(SystemExit, match=r"nope\.jar"):
        build.Builder(tmp_path / "out").run()


def test_pipeline_code_carries_the_scoring_package_it_imports(sources: Path, tmp_path: Path) -> None:
    (sources / "feature_engineering").mkdir()
    (sources / "feature_engineering" / "processing.py").write_text("from common.scoring import features\n")
    (sources / "common" / "scoring").mkdir()
    (sources / "common" / "scoring" / "features.py").write_text("WEIGHTS = {}\n")
    build.Builder(tmp_path / "out").run()
    files = {p.relative_to(tmp_path / "out" / "pipeline").as_posix() for p in (tmp_path / "out" / "pipeline").rglob("*") if p.is_file()}
    assert files == {"feature_engineering.py", "common/__init__.py", "common/scoring/features.py"}


def test_every_session_that_builds_installs_what_the_build_calls() -> None:
    # A uv venv has no pip: a session that builds without pip in its lock fails on a fresh machine.
    tree = ast.parse((REPO / "noxfile.py").read_text())
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Constant)
    }
    building = {}
    for func in (n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")):
        calls = [c for c in ast.walk(func) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)]
        # _prepare(session, REQUIREMENTS) installs them, finds the toolchain and builds.
        if any(c.func.id in ("_build", "_prepare") for c in calls):
            installs = [c.args[1].id for c in calls if c.func.id in ("_install", "_prepare") and isinstance(c.args[1], ast.Name)]
            building[func.name] = [constants[name] for name in installs]
    assert {"build", "lint", "policy", "plan_tests", "integration"} <= set(building)
    for session, requirements in building.items():
        assert requirements, f"nox session {session} builds but installs no locked requirements"
        for path in requirements:
            pinned = {line.split("==")[0].strip().lower() for line in (REPO / path).read_text().splitlines() if "==" in line}
            assert build.PIP in pinned, f"nox session {session} builds with python -m {build.PIP}, which {path} does not install"
