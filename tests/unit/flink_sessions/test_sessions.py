"""The session job: its reference on sample sessions, and the SQL text checked against the reference.

PyFlink is not installable here, so the SQL is not run by Flink. What is checked instead: the
window clause declares the reference's gap, key and time attribute; the aggregate expressions the
job selects, evaluated by sqlite over the reference's sessions, give the reference's aggregates;
the DDL maps the JSON fields the expressions read. What only Flink can show (watermarks, late
events, the connector) stays out of reach of these tests.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from common.scoring.exit_risk import FEATURES
from common.scoring.features import derive_features
from feature_engineering import processing
from flink_sessions import main as job
from flink_sessions.reference import GAP_MS, Session, sessions
from journey_guard.terraform.build import Builder
from tests.support import terraform_source

T = 1_700_000_000_000
MIN = 60_000


def ev(user: str, at: int, event_type: str = "page_view", duration: int | None = None) -> dict[str, object]:
    data = {} if duration is None else {"duration": duration}
    return {"userId": user, "sessionId": "x", "eventType": event_type, "timestamp": at, "eventData": data}


SAMPLE = [
    ev("alice", T),
    ev("alice", T + 10 * MIN, "video_engagement", 90_000),
    ev("alice", T + 40 * MIN, "form_error"),  # exactly 30 min after the last: same session
    ev("alice", T + 70 * MIN + 1, "video_complete"),  # 30 min + 1 ms: a new session
    ev("alice", T + 71 * MIN, "error_event"),
    ev("bob", T + 5 * MIN, "video_complete", 1_500),
    ev("bob", T + 2 * MIN, "feature_interaction"),  # out of order in the input
]


@pytest.mark.spec("flink-session-gap")
def test_reference_sessions() -> None:
    assert sessions(SAMPLE) == [
        Session("alice", T, T + 40 * MIN + GAP_MS, 3, 1, 90.0, 2400.0, T, T + 40 * MIN),
        Session("alice", T + 70 * MIN + 1, T + 71 * MIN + GAP_MS, 2, 1, 0.0, 59.999, T + 70 * MIN + 1, T + 71 * MIN),
        Session("bob", T + 2 * MIN, T + 5 * MIN + GAP_MS, 2, 0, 1.5, 180.0, T + 2 * MIN, T + 5 * MIN),
    ]


@pytest.mark.spec("flink-session-gap")
def test_window_clause_declares_the_reference_semantics() -> None:
    sql = " ".join(job.sessions_sql().split())
    window = re.search(r"SESSION\(TABLE (\w+) PARTITION BY (\w+), DESCRIPTOR\((\w+)\), INTERVAL '(\d+)' MINUTES\)", sql)
    assert window, sql
    assert window.groups() == ("user_events", "userId", "event_time", str(GAP_MS // MIN))
    assert "GROUP BY userId, window_start, window_end" in sql
    assert sql.startswith("INSERT INTO session_analytics SELECT userId, window_start AS sessionStart, window_end AS sessionEnd,")


def _selected_aggregates() -> list[tuple[str, str]]:
    """(column, expression) of each CAST(... AS type) AS column the job selects."""
    found = re.findall(r"CAST\((.+?) AS (?:DOUBLE|BIGINT)\) AS (\w+),?$", job.sessions_sql(), flags=re.MULTILINE)
    return [(name, expr) for expr, name in found]


def test_aggregate_expressions_agree_with_the_reference() -> None:
    selected = _selected_aggregates()
    assert [name for name, _ in selected] == ["events", "errors", "videoSeconds", "durationSeconds", "firstEventMs", "lastEventMs"]
    expected = sessions(SAMPLE)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE user_events (session INTEGER, userId TEXT, eventType TEXT, event_ms INTEGER, video_ms INTEGER)")
    for number, session in enumerate(expected):
        for e in SAMPLE:
            if e["userId"] == session.userId and session.firstEventMs <= e["timestamp"] <= session.lastEventMs:
                # the source DDL's computed columns: event_ms = timestamp, video_ms = COALESCE(eventData.duration, 0)
                db.execute(
                    "INSERT INTO user_events VALUES (?, ?, ?, ?, ?)",
                    (number, e["userId"], e["eventType"], e["timestamp"], e["eventData"].get("duration", 0)),
                )
    columns = ", ".join(f"CAST({expr} AS {'DOUBLE' if name.endswith('Seconds') else 'BIGINT'})" for name, expr in selected)
    rows = db.execute(f"SELECT {columns} FROM user_events GROUP BY session ORDER BY session").fetchall()
    assert rows == [tuple(getattr(s, name) for name, _ in selected) for s in expected]


def test_source_ddl_maps_the_columns_the_aggregates_read() -> None:
    stream = job.stream_options({"stream.arn": "arn:aws:kinesis:us-east-1:123456789012:stream/uja-user-events-dev"})
    ddl = " ".join(job.source_ddl(stream, "us-east-1").split())
    assert "event_ms AS `timestamp`" in ddl
    assert "video_ms AS COALESCE(eventData.`duration`, 0)" in ddl
    assert "event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3)" in ddl
    assert "WATERMARK FOR event_time" in ddl
    assert (
        "'stream.arn' = 'arn:aws:kinesis:us-east-1:123456789012:stream/uja-user-events-dev', 'source.init.position' = 'TRIM_HORIZON'" in ddl
    )
    assert "'path' = 's3://b/session-analytics/'" in " ".join(job.sink_ddl("s3://b/session-analytics/").split())


def test_stream_by_name_for_the_4x_connector() -> None:
    assert (
        job.stream_options({"stream.name": "uja-user-events-dev"})
        == "'stream' = 'uja-user-events-dev',\n  'scan.stream.initpos' = 'TRIM_HORIZON'"
    )


def test_gap_property_changes_the_window() -> None:
    assert "INTERVAL '45' MINUTES" in job.sessions_sql(45)


def _write(path: Path, props: dict[str, str], group: str = "SessionsJob") -> Path:
    path.write_text(
        json.dumps(
            [
                {"PropertyGroupId": "kinesis.analytics.flink.run.options", "PropertyMap": {"python": "main.py"}},
                {"PropertyGroupId": group, "PropertyMap": props},
            ]
        )
    )
    return path


def test_properties_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "application_properties.json"
    # What terraform/modules/streaming sets.
    good = {
        "stream.name": "uja-user-events-dev",
        "aws.region": "us-east-1",
        "output.path": "s3://b/session-analytics/",
        "export.path": "s3://b/user-events-export/",
        "session.gap.minutes": "30",
    }
    assert job.load_properties(_write(path, good)) == good
    with pytest.raises(SystemExit, match=r"lacks \['output.path', 'export.path', 'stream.arn or stream.name'\]"):
        job.load_properties(_write(path, {"aws.region": "us-east-1"}))
    with pytest.raises(SystemExit, match=r"session\.gap\.minutes must be a whole number"):
        job.load_properties(_write(path, {**good, "session.gap.minutes": "half an hour"}))
    with pytest.raises(SystemExit, match="property group 'SessionsJob' is missing"):
        job.load_properties(_write(path, good, group="Other"))


def test_build_zips_the_job_with_a_missing_jar_marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UJA_FLINK_CONNECTOR_JAR", raising=False)
    Builder(tmp_path).flink()
    with zipfile.ZipFile(tmp_path / "flink" / "sessions.zip") as zf:
        assert "main.py" in zf.namelist()
    assert (tmp_path / "flink" / "MISSING_JAR").is_file()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]), st.integers(0, 6 * 3_600_000), st.sampled_from(["page_view", "form_error", "video_complete"])
        ),
        max_size=40,
    )
)
def test_reference_sessions_partition_each_users_events(raw: list[tuple[str, int, str]]) -> None:
    events = [ev(user, T + at, kind, 1_000) for user, at, kind in raw]
    found = sessions(events)
    assert sum(s.events for s in found) == len(events)
    assert sum(s.errors for s in found) == sum(kind == "form_error" for _, _, kind in raw)
    for user in ("a", "b"):
        mine = [s for s in found if s.userId == user]
        stamps = sorted(T + at for u, at, _ in raw if u == user)
        # a new session starts exactly where consecutive events are more than the gap apart
        assert len(mine) == (1 + sum(b - a > GAP_MS for a, b in pairwise(stamps)) if stamps else 0)
        for earlier, later in pairwise(mine):
            assert later.firstEventMs - earlier.lastEventMs > GAP_MS


def test_export_keeps_what_the_features_read_and_drops_unusable_events() -> None:
    ddl = " ".join(job.export_sink_ddl("s3://b/user-events-export/").split())
    assert "'path' = 's3://b/user-events-export/'" in ddl and "'json.encode.ignore-null-fields' = 'true'" in ddl
    assert {"action", "success", "page", "attemptCount"} <= set(job.EVENT_DATA_FIELDS)
    sql = " ".join(job.export_sql().split())
    assert sql.endswith("WHERE userId IS NOT NULL AND sessionId IS NOT NULL AND eventType IS NOT NULL AND `timestamp` IS NOT NULL")
    assert "SELECT userId, sessionId, eventId, eventType, `timestamp`, eventData," in sql
    assert f"eventData ROW<{job.EVENT_DATA_COLUMNS}>" in " ".join(job.source_ddl("'stream' = 's'", "us-east-1").split())


@pytest.mark.spec("pipeline-inputs")
def test_exported_lines_are_what_the_feature_pipeline_reads(tmp_path: Path) -> None:
    # The lines the export writes (null fields left out), in a dt= partition beside Flink's markers.
    events = [
        {**ev("alice", T - 60_000, "feature_interaction"), "eventData": {"attemptCount": 3, "success": True}},
        {**ev("alice", T, "user_action"), "eventData": {"action": "help"}},
        {**ev("alice", T - 30_000, "page_view"), "eventData": {"page": "/pricing"}},
    ]
    partition = tmp_path / "export" / "dt=2023-11-14"
    partition.mkdir(parents=True)
    (partition / "part-0-0").write_text("".join(json.dumps(e) + "\n" for e in events))
    (partition / "_SUCCESS").write_text("")
    (tmp_path / "sessions").mkdir()
    rows = processing.feature_rows(processing.read_events(tmp_path / "export"), {})
    assert [r["userId"] for r in rows] == ["alice"]
    assert {k: rows[0][k] for k in FEATURES} == derive_features(events, now_ms=T)


@pytest.mark.spec("pipeline-inputs")
@pytest.mark.spec("flink-session-gap")
def test_terraform_gives_the_job_its_properties_and_the_pipeline_its_input() -> None:
    streaming, ml = terraform_source.locals_of("streaming"), terraform_source.locals_of("ml")
    # The prefix the job exports to is the one the feature-engineering pipeline reads.
    inputs = {k: terraform_source.unquote(v) for k, v in ml["input_prefixes"].items()}
    assert terraform_source.unquote(streaming["export_prefix"]) == inputs["events"] == "user-events-export/"
    assert terraform_source.unquote(streaming["output_prefix"]) == inputs["sessions"] == "session-analytics/"
    app = terraform_source.block("streaming", "resource", "aws_kinesisanalyticsv2_application", "sessions")
    groups = app["application_configuration"][0]["environment_properties"][0]["property_group"]
    (props,) = [g["property_map"] for g in groups if g["property_group_id"] == f'"{job.PROPERTY_GROUP}"']
    keys = {terraform_source.unquote(k) for k in props}
    assert set(job.REQUIRED_PROPERTIES) <= keys and {"stream.arn", "stream.name"} <= keys
    assert props['"export.path"'] == '"s3://${var.analytics_bucket_name}/${local.export_prefix}"'
    assert props['"session.gap.minutes"'] == f'"{job.GAP_MINUTES}"'
    policy = terraform_source.block("streaming", "data", "aws_iam_policy_document", "flink")
    (write,) = [s for s in policy["statement"] if s.get("sid") == '"WriteAnalyticsPrefixes"']
    assert "[local.output_prefix, local.export_prefix]" in write["resources"]
