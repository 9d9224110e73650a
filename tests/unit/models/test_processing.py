"""The feature-engineering processing script on a user-events export and session aggregates."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from common.dynamo import to_item
from common.scoring.exit_risk import FEATURES
from common.scoring.features import derive_features
from feature_engineering import processing

T = 1_700_000_000_000
REPO = Path(__file__).resolve().parents[3]


def event(user: str, at: int, event_type: str, session: str = "s1", **data: object) -> dict[str, object]:
    return {"userId": user, "eventId": f"{user}-{at}", "sessionId": session, "eventType": event_type, "timestamp": at, "eventData": data}


ALICE = [
    event("alice", T - 2 * 86_400_000, "error_event", "old"),  # outside the 24 h before her latest event
    event("alice", T - 60_000, "feature_interaction", attemptCount=4, success=True),
    event("alice", T, "user_action", action="help"),
]
BOB = [event("bob", T + 5, "page_view", "b1", page="/a")]


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    events, sessions = tmp_path / "events", tmp_path / "sessions" / "dt=2023-11-14"
    events.mkdir()
    sessions.mkdir(parents=True)
    # A DynamoDB export (typed, gzipped data file beside its manifests) and a plain JSON-lines file.
    export = events / "AWSDynamoDB" / "01234-abcd"
    (export / "data").mkdir(parents=True)
    with gzip.open(export / "data" / "x1y2.json.gz", "wt") as fh:
        fh.writelines(json.dumps({"Item": to_item(e)}) + "\n" for e in ALICE)
    (export / "manifest-summary.json").write_text(json.dumps({"version": "2020-06-30", "itemCount": 3}))
    (export / "manifest-files.json").write_text(json.dumps({"itemCount": 3, "dataFileS3Key": "data/x1y2.json.gz"}) + "\n")
    (export / "manifest-files.md5").write_text("abc")
    (export / "_started").write_text("")
    (events / "plain.jsonl").write_text("\n".join(json.dumps(e) for e in BOB) + "\n\n")
    # Flink's part files have no extension; in-progress files are hidden; _SUCCESS marks a partition.
    (sessions / ".part-1-0.inprogress").write_text("{not yet complete")
    (sessions / "_SUCCESS").write_text("")
    (sessions / "part-7f3c-0-0").write_text(
        json.dumps({"userId": "alice", "firstEventMs": T - 900_000, "lastEventMs": T})
        + "\n"
        + json.dumps({"userId": "alice", "firstEventMs": T - 10 * 86_400_000, "lastEventMs": T - 9 * 86_400_000})
        + "\n"
    )
    return events, sessions.parent


def test_features_per_user(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    events, sessions = inputs
    out = tmp_path / "out"
    assert processing.main(["--events-dir", str(events), "--sessions-dir", str(sessions), "--output-dir", str(out)]) == 0
    with (out / "features.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [r["userId"] for r in rows] == ["alice", "bob"]
    alice = {k: float(v) for k, v in rows[0].items() if k in FEATURES}
    assert alice == derive_features(ALICE[1:], now_ms=T, current_session=(T - 900_000, T))
    assert alice["session_duration"] == 900.0 and alice["error_count"] == 0 and alice["retry_count"] == 3
    assert rows[0]["asOf"] == str(T)
    assert list(rows[0]) == ["userId", "asOf", *FEATURES]


def test_bad_records_name_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "e.json").write_text(json.dumps(BOB[0]) + "\n" + json.dumps({"userId": "x"}) + "\n")
    with pytest.raises(processing.InputError, match=r"e\.json:2: an event needs userId and timestamp"):
        processing.read_events(tmp_path)
    (tmp_path / "e.json").write_text("{not json\n")
    with pytest.raises(processing.InputError, match=r"e\.json:1: not JSON"):
        processing.read_events(tmp_path)
    (tmp_path / "e.json").write_text(json.dumps({"userId": "alice"}) + "\n")
    with pytest.raises(processing.InputError, match=r"e\.json:1: a session needs userId, firstEventMs and lastEventMs"):
        processing.read_latest_sessions(tmp_path)


def test_runs_as_a_script_from_its_directory(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    """As in the processing container: the script and common/ side by side, no repo on sys.path."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "feature_engineering.py").write_bytes((REPO / "functions" / "feature_engineering" / "processing.py").read_bytes())
    scoring = REPO / "functions" / "common"
    for src in [scoring / "__init__.py", *sorted((scoring / "scoring").glob("*.py"))]:
        dst = code / src.relative_to(scoring.parent)
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
    events, sessions = inputs
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            str(code / "feature_engineering.py"),
            "--events-dir",
            str(events),
            "--sessions-dir",
            str(sessions),
            "--output-dir",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "2 users" in done.stdout
