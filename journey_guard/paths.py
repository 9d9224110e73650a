"""Where things live: the repository, its ignored build tree and the per-user cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TERRAFORM_DIR = REPO / "terraform"
FUNCTIONS_DIR = REPO / "functions"
BUILD_DIR = Path(os.environ.get("UJA_BUILD_DIR", REPO / "build"))


def cache_dir(*parts: str) -> Path:
    """A directory under the user's cache (outside the repo), created on demand."""
    base = Path(os.environ.get("UJA_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "journey-guard")
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
