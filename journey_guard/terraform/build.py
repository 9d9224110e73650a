"""Deterministic build of every artifact Terraform deploys, into ``build/``.

Same sources, same bytes: entries sorted, timestamps fixed, permissions normalised, gzip
headers without a time. A manifest of input hashes lets a rebuild skip unchanged artifacts.

Layout (the contract with ``terraform/`` and the system spec):
    build/lambda/<function>.zip          shared package + function package + wheels at the root
    build/models/<model>.tar.gz          SageMaker model artifact: code/inference.py + scoring
    build/flink/sessions.zip             PyFlink job (+ connector jar, or a MISSING_JAR marker)
    build/pipeline/                      the processing step's script + common/scoring it imports
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from journey_guard.paths import BUILD_DIR, FUNCTIONS_DIR, REPO, cache_dir, file_lock

SHARED_PACKAGE = "common"
# Lambda function name -> Python package under functions/ (handler <package>.handler.handler).
FUNCTIONS = {
    "event-processor": "event_processor",
    "struggle-detector": "struggle_detector",
    "video-analyzer": "video_analyzer",
    "intervention-executor": "intervention_executor",
}
# SageMaker model name -> directory under functions/sagemaker_inference holding inference.py.
MODELS = {"exit-risk": "exit_risk", "video-engagement": "video_engagement"}
FLINK_JOB_DIR = "flink_sessions"
PIPELINE_SCRIPT = "feature_engineering/processing.py"
LAMBDA_REQUIREMENTS = REPO / "requirements" / "lambda.txt"
LAMBDA_PLATFORM = ("manylinux2014_aarch64", "3.12")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
SKIP_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}


def _files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not SKIP_PARTS.intersection(p.parts) and p.suffix != ".pyc")


def _digest(entries: Iterable[tuple[str, Path]], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for arcname, path in sorted(entries):
        h.update(arcname.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def write_zip(target: Path, entries: list[tuple[str, Path]]) -> None:
    """Zip with fixed metadata, so the archive's hash depends on content only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for arcname, path in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=ZIP_EPOCH)
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            zf.writestr(info, path.read_bytes())
    tmp.replace(target)


def write_tar_gz(target: Path, entries: list[tuple[str, Path]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for arcname, path in sorted(entries):
            data = path.read_bytes()
            info = tarfile.TarInfo(arcname)
            info.size, info.mtime, info.mode, info.uid, info.gid = len(data), 0, 0o644, 0, 0
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    target.write_bytes(out.getvalue())


def _package_entries(package: str) -> list[tuple[str, Path]]:
    root = FUNCTIONS_DIR / package
    return [(f"{package}/{p.relative_to(root).as_posix()}", p) for p in _files(root)]


# The build runs in whichever session's venv asks for it: each such venv must install this module
# (tests/unit/foundation/test_build.py checks every session's requirements; uv venvs have no pip).
PIP = "pip"


def lambda_wheels(offline: bool = False) -> Path | None:
    """Unpacked python3.12/arm64 wheels of requirements/lambda.txt, cached by the file's hash."""
    if not LAMBDA_REQUIREMENTS.exists():
        return None
    key = hashlib.sha256(LAMBDA_REQUIREMENTS.read_bytes() + repr(LAMBDA_PLATFORM).encode()).hexdigest()[:16]
    site = cache_dir("lambda-wheels", key)
    done = site / ".complete"
    if done.exists():
        return site
    if offline:
        raise SystemExit(f"build: wheels for {LAMBDA_REQUIREMENTS.name} are not cached and --offline was given")
    download = cache_dir("lambda-wheels", key + ".download")
    platform, python = LAMBDA_PLATFORM
    cmd = [
        sys.executable,
        "-m",
        PIP,
        "download",
        "--quiet",
        "--no-deps",
        "--require-hashes",
        "--only-binary=:all:",
        "--platform",
        platform,
        "--python-version",
        python,
        "--implementation",
        "cp",
        "-r",
        str(LAMBDA_REQUIREMENTS),
        "-d",
        str(download),
    ]
    subprocess.run(cmd, check=True)
    for wheel in sorted(download.glob("*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(site)
    shutil.rmtree(download, ignore_errors=True)
    done.write_text(key)
    return site


def _wheel_entries(site: Path | None) -> list[tuple[str, Path]]:
    if site is None:
        return []
    # Lambda's runtime ships boto3; dist-info RECORDs are not needed at run time.
    return [
        (p.relative_to(site).as_posix(), p)
        for p in _files(site)
        if p.name != ".complete" and not p.relative_to(site).parts[0].endswith(".dist-info")
    ]


def _output_sha256(target: Path) -> str:
    """Hash of an artifact file, or of every file under an artifact directory."""
    if target.is_dir():
        return _digest((p.relative_to(target).as_posix(), p) for p in _files(target))
    return hashlib.sha256(target.read_bytes()).hexdigest()


class Builder:
    def __init__(self, out: Path = BUILD_DIR, offline: bool = False) -> None:
        self.out = out
        self.offline = offline
        self.manifest_path = out / "manifest.json"
        self.manifest: dict[str, dict[str, str]] = json.loads(self.manifest_path.read_text()) if self.manifest_path.exists() else {}
        self.built: list[str] = []
        self.skipped: list[str] = []

    def _emit(self, name: str, target: Path, entries: list[tuple[str, Path]], writer, extra: str = "") -> None:
        digest = _digest(entries, extra)
        rel = target.relative_to(self.out).as_posix()
        prev = self.manifest.get(rel)
        if prev and prev.get("inputs") == digest and target.exists() and _output_sha256(target) == prev.get("sha256"):
            self.skipped.append(name)
            return
        writer(target, entries)
        self.manifest[rel] = {"inputs": digest, "sha256": _output_sha256(target)}
        self.built.append(name)

    def lambdas(self) -> None:
        site = lambda_wheels(self.offline)
        shared = _package_entries(SHARED_PACKAGE)
        wheels = _wheel_entries(site)
        for function, package in FUNCTIONS.items():
            entries = shared + _package_entries(package) + wheels
            self._emit(function, self.out / "lambda" / f"{function}.zip", entries, write_zip)

    def models(self) -> None:
        scoring = _package_entries(SHARED_PACKAGE)
        for model, directory in MODELS.items():
            root = FUNCTIONS_DIR / "sagemaker_inference" / directory
            code = [(f"code/{p.relative_to(root).as_posix()}", p) for p in _files(root)]
            entries = code + [(f"code/{arc}", p) for arc, p in scoring]
            self._emit(model, self.out / "models" / f"{model}.tar.gz", entries, write_tar_gz)

    def flink(self) -> None:
        root = FUNCTIONS_DIR / FLINK_JOB_DIR
        entries = [(p.relative_to(root).as_posix(), p) for p in _files(root)]
        jar = os.environ.get("UJA_FLINK_CONNECTOR_JAR")
        marker = self.out / "flink" / "MISSING_JAR"
        if jar:
            jar_path = Path(jar)
            if not jar_path.is_file():
                raise SystemExit(f"build: UJA_FLINK_CONNECTOR_JAR={jar} is not a file")
            entries.append((f"lib/{jar_path.name}", jar_path))
            marker.unlink(missing_ok=True)
        else:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("Kinesis connector jar not packaged: set UJA_FLINK_CONNECTOR_JAR and rebuild before deploying Flink.\n")
        self._emit("flink-sessions", self.out / "flink" / "sessions.zip", entries, write_zip, extra=f"jar={bool(jar)}")

    def pipeline(self) -> None:
        """The processing step's code: the script plus the scoring package it imports, as plain files."""
        script = FUNCTIONS_DIR / PIPELINE_SCRIPT
        scoring_root = FUNCTIONS_DIR / SHARED_PACKAGE
        entries = [("feature_engineering.py", script)] if script.exists() else []
        entries += [(f"{SHARED_PACKAGE}/__init__.py", scoring_root / "__init__.py")] if (scoring_root / "__init__.py").exists() else []
        entries += [
            (f"{SHARED_PACKAGE}/scoring/{p.relative_to(scoring_root / 'scoring').as_posix()}", p) for p in _files(scoring_root / "scoring")
        ]
        target = self.out / "pipeline"

        def copy(dst: Path, ents: list[tuple[str, Path]]) -> None:
            shutil.rmtree(dst, ignore_errors=True)
            dst.mkdir(parents=True)
            for arcname, path in ents:
                (dst / arcname).parent.mkdir(parents=True, exist_ok=True)
                (dst / arcname).write_bytes(path.read_bytes())
            if not ents:
                (dst / "feature_engineering.py").write_text("# feature engineering script not written yet\n")

        self._emit("feature-engineering", target, entries, copy)

    def run(self) -> dict[str, list[str]]:
        self.lambdas()
        self.models()
        self.flink()
        self.pipeline()
        self.out.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(self.manifest, indent=2, sort_keys=True) + "\n")
        return {"built": self.built, "skipped": self.skipped}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journey_guard.terraform.build", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD_DIR, help="output directory (default: build/)")
    parser.add_argument("--offline", action="store_true", help="fail instead of downloading wheels")
    args = parser.parse_args(argv)
    # Sessions run in parallel (nox -s gate) each build first: one builds, the others then find it done.
    with file_lock(args.out / ".build.lock"):
        result = Builder(args.out, args.offline).run()
    print(f"build: built {len(result['built'])} ({', '.join(result['built']) or '-'}), unchanged {len(result['skipped'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
