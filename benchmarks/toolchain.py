"""Toolchain timings: toolchain step cold and warm, terraform init with a cold and a warm plugin cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from journey_guard.paths import BUILD_DIR, TERRAFORM_DIR
from journey_guard.quality import bench
from journey_guard.terraform import toolchain


def _timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - start


def _init_seconds(plugin_cache: Path) -> float:
    """terraform init -backend=false of a fresh copy of terraform/ with the given plugin cache."""
    chain = toolchain.ensure()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "terraform"
        shutil.copytree(TERRAFORM_DIR, tree, ignore=shutil.ignore_patterns(".terraform"))
        config = Path(tmp) / "cli.tfrc"
        text = Path(chain.cli_config).read_text().replace(chain.plugin_cache_dir, str(plugin_cache))
        config.write_text(text)
        env = {**os.environ, **chain.env(), "TF_CLI_CONFIG_FILE": str(config)}
        return _timed([chain.terraform, f"-chdir={tree}", "init", "-backend=false", "-input=false", "-lockfile=readonly"], env=env)


def main() -> int:
    shutil.rmtree(BUILD_DIR / "toolchain", ignore_errors=True)
    cold = _timed([sys.executable, "-m", "journey_guard.terraform.toolchain"])
    warm = min(_timed([sys.executable, "-m", "journey_guard.terraform.toolchain"]) for _ in range(3))
    bench.record("toolchain", "toolchain_cold", cold, "s")
    bench.record("toolchain", "toolchain_warm_noop", warm, "s", goal="< 2 s")
    with tempfile.TemporaryDirectory() as cache:
        init_cold = _init_seconds(Path(cache))
        init_warm = _init_seconds(Path(cache))
    bench.record("toolchain", "terraform_init_cold_cache", init_cold, "s")
    bench.record("toolchain", "terraform_init_warm_cache", init_warm, "s", baseline=init_cold)
    print(f"toolchain cold {cold:.2f}s warm {warm:.2f}s; init cold {init_cold:.2f}s warm {init_warm:.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
