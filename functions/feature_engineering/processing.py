"""SageMaker processing step of the ``feature-engineering`` pipeline: the 13 exit-risk features.

Inputs (processing inputs mounted by the pipeline definition):
  --events-dir    ``analytics-data/user-events-export/``: the Flink job's JSON-lines export of the
                  events; DynamoDB export lines (``{"Item": {...typed...}}``) are read too, gzipped or not
  --sessions-dir  ``analytics-data/session-analytics/``: the Flink job's JSON-lines part files
Output: ``<output-dir>/features.csv``, one row per user: ``userId``, ``asOf`` (the user's latest
event, ms) and the 13 features of ``common.scoring.exit_risk``, derived by the same code the
struggle detector uses (``common.scoring.features``), over the user's events of the 24 h before
``asOf``. The current session's duration comes from the user's latest session aggregate when
there is one. ``engagement_score`` is the profile's and not in these inputs: the default (50).

The script imports ``common.scoring`` from its own directory (the pipeline's code input holds
``feature_engineering.py`` with ``common/`` beside it).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import defaultdict
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path

# common/ sits beside this script in the pipeline's code input.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common.scoring.exit_risk import FEATURES
from common.scoring.features import derive_features

PROCESSING = Path("/opt/ml/processing")
WINDOW_MS = 86_400_000


class InputError(ValueError):
    """A record the step cannot use; the message names the file and line."""


def _typed(value: Mapping[str, object]) -> object:
    """A DynamoDB-JSON attribute value as a plain value."""
    ((kind, raw),) = value.items()
    if kind == "S" or kind == "BOOL":
        return raw
    if kind == "N":
        return Decimal(str(raw))
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _typed(v) for k, v in raw.items()}  # type: ignore[union-attr]
    if kind == "L":
        return [_typed(v) for v in raw]  # type: ignore[union-attr]
    raise ValueError(f"unsupported DynamoDB type {kind!r}")


def _data_files(directory: Path) -> list[Path]:
    """Data files under ``directory``, leaving out markers and manifests: Flink's in-progress
    (``.part-*``) and ``_SUCCESS`` files, a DynamoDB export's ``manifest-*`` and ``_started``."""
    return sorted(
        p for p in directory.rglob("*") if p.is_file() and not p.name.startswith((".", "_", "manifest-")) and not p.name.endswith(".md5")
    )


def _lines(directory: Path) -> Iterator[tuple[str, dict[str, object]]]:
    for path in _data_files(directory):
        with path.open("rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rt", encoding="utf-8") if gzipped else path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    raise InputError(f"{where}: not JSON: {exc}") from exc
                if not isinstance(record, dict):
                    raise InputError(f"{where}: expected a JSON object")
                yield where, record


def read_events(directory: Path) -> dict[str, list[dict[str, object]]]:
    """Events by userId; DynamoDB export lines are converted to plain values."""
    by_user: dict[str, list[dict[str, object]]] = defaultdict(list)
    for where, record in _lines(directory):
        if isinstance(record.get("Item"), dict):
            try:
                record = {k: _typed(v) for k, v in record["Item"].items()}
            except (ValueError, AttributeError) as exc:
                raise InputError(f"{where}: bad DynamoDB item: {exc}") from exc
        user = record.get("userId")
        if not isinstance(user, str) or record.get("timestamp") is None:
            raise InputError(f"{where}: an event needs userId and timestamp")
        by_user[user].append(record)
    return by_user


def read_latest_sessions(directory: Path) -> dict[str, tuple[float, float]]:
    """(firstEventMs, lastEventMs) of each user's latest session aggregate."""
    latest: dict[str, tuple[float, float]] = {}
    for where, record in _lines(directory):
        try:
            user, first, last = str(record["userId"]), float(record["firstEventMs"]), float(record["lastEventMs"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: a session needs userId, firstEventMs and lastEventMs ({exc})") from exc
        if user not in latest or last > latest[user][1]:
            latest[user] = (first, last)
    return latest


def feature_rows(events: Mapping[str, list[dict[str, object]]], sessions: Mapping[str, tuple[float, float]]) -> list[dict[str, object]]:
    rows = []
    for user in sorted(events):
        as_of = max(float(e["timestamp"]) for e in events[user])  # type: ignore[arg-type]
        recent = [e for e in events[user] if as_of - WINDOW_MS <= float(e["timestamp"]) <= as_of]  # type: ignore[arg-type]
        session = sessions.get(user)
        current = session if session and session[1] >= as_of - WINDOW_MS else None
        features = derive_features(recent, now_ms=as_of, current_session=current)
        rows.append({"userId": user, "asOf": int(as_of), **{name: features[name] for name in FEATURES}})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Derive the 13 exit-risk features per user.")
    parser.add_argument("--events-dir", type=Path, default=PROCESSING / "input" / "events")
    parser.add_argument("--sessions-dir", type=Path, default=PROCESSING / "input" / "sessions")
    parser.add_argument("--output-dir", type=Path, default=PROCESSING / "output")
    args = parser.parse_args(argv)
    for directory in (args.events_dir, args.sessions_dir):
        if not directory.is_dir():
            parser.error(f"{directory} is not a directory")
    rows = feature_rows(read_events(args.events_dir), read_latest_sessions(args.sessions_dir))
    args.output_dir.mkdir(parents=True, exist_ok=True)
    with (args.output_dir / "features.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["userId", "asOf", *FEATURES])
        writer.writeheader()
        writer.writerows(rows)
    print(f"feature_engineering: {len(rows)} users -> {args.output_dir / 'features.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
