"""PyFlink SQL job of ``uja-sessions-<env>``: per-session aggregates of the user-event stream.

Reads the Kinesis stream (JSON user events, spec section 4), groups each user's events into
sessions that close after 30 minutes without an event, and writes one JSON line per session
(events, errors, video seconds, duration) to ``s3://<analytics-data>/session-analytics/``.
It also writes every event that has the fields the exit-risk features read, one JSON line each,
to ``s3://<analytics-data>/user-events-export/``: the user-events export the feature-engineering
pipeline reads (a spec deviation, docs/decisions.md "User-events export").

Runs in Managed Service for Apache Flink (runtime FLINK-1_20) as the zip's ``main.py``, with the
Kinesis connector jar under ``lib/`` (``UJA_FLINK_CONNECTOR_JAR`` at build time), which the job
adds to ``pipeline.jars``. Configuration comes from the application's runtime properties, group
``SessionsJob``: ``aws.region``, ``output.path``, ``export.path``, the stream as ``stream.arn`` (connector 5.x) or
``stream.name`` (connector 4.x), and optionally ``session.gap.minutes`` (default 30). The SQL text
is built here from the constants that ``reference.py`` uses, so the unit tests check one against
the other without PyFlink.
"""

from __future__ import annotations

import json
from pathlib import Path

PROPERTIES_FILE = Path("/etc/flink/application_properties.json")
PROPERTY_GROUP = "SessionsJob"
REQUIRED_PROPERTIES = ("aws.region", "output.path", "export.path")
GAP_MINUTES = 30
WATERMARK_DELAY_SECONDS = 60
ERROR_TYPES = ("form_error", "error_event")
VIDEO_TYPES = ("video_engagement", "video_complete")


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# Per-session aggregates over the flat columns userId, eventType, event_ms, video_ms. Kept to
# portable SQL so a unit test can evaluate exactly these expressions (sqlite) on sample sessions.
AGGREGATES = {
    "events": "COUNT(*)",
    "errors": f"SUM(CASE WHEN eventType IN ({_in_list(ERROR_TYPES)}) THEN 1 ELSE 0 END)",
    "videoSeconds": f"SUM(CASE WHEN eventType IN ({_in_list(VIDEO_TYPES)}) THEN video_ms ELSE 0 END) / 1000.0",
    "durationSeconds": "(MAX(event_ms) - MIN(event_ms)) / 1000.0",
    "firstEventMs": "MIN(event_ms)",
    "lastEventMs": "MAX(event_ms)",
}


# The eventData fields the export keeps: those common.scoring.features reads, and duration (the
# sessions' video seconds). Types as the event model's; a value of another type becomes null.
EVENT_DATA_FIELDS = {
    "page": "STRING",
    "action": "STRING",
    "success": "BOOLEAN",
    "attemptCount": "BIGINT",
    "duration": "BIGINT",
}
EVENT_DATA_COLUMNS = ", ".join(f"`{name}` {kind}" for name, kind in EVENT_DATA_FIELDS.items())
# The event's fields as read from the stream and as written to the export.
EVENT_COLUMNS = f"""userId STRING,
  sessionId STRING,
  eventId STRING,
  eventType STRING,
  `timestamp` BIGINT,
  eventData ROW<{EVENT_DATA_COLUMNS}>"""
SESSION_COLUMNS = """userId STRING,
  sessionStart TIMESTAMP_LTZ(3),
  sessionEnd TIMESTAMP_LTZ(3),
  events BIGINT,
  errors BIGINT,
  videoSeconds DOUBLE,
  durationSeconds DOUBLE,
  firstEventMs BIGINT,
  lastEventMs BIGINT"""
# An exported event needs what the features are keyed and windowed by.
EXPORT_REQUIRED = ("userId", "sessionId", "eventType", "`timestamp`")


def stream_options(props: dict[str, str]) -> str:
    """The connector's stream and start position: connector 5.x takes the ARN, 4.x the name."""
    if props.get("stream.arn"):
        return f"'stream.arn' = '{props['stream.arn']}',\n  'source.init.position' = 'TRIM_HORIZON'"
    return f"'stream' = '{props['stream.name']}',\n  'scan.stream.initpos' = 'TRIM_HORIZON'"


def with_clause(*options: str) -> str:
    """A table's WITH clause from its ``'key' = 'value'`` options, one a line."""
    return "WITH (\n  " + ",\n  ".join(options) + "\n)"


def source_ddl(stream: str, region: str) -> str:
    # Malformed records are skipped rather than failing the job in a restart loop: the event
    # processor quarantines and counts them (spec section 4), so they are not lost.
    options = with_clause(
        "'connector' = 'kinesis'", stream, f"'aws.region' = '{region}'", "'format' = 'json'", "'json.ignore-parse-errors' = 'true'"
    )
    return f"""
CREATE TABLE user_events (
  {EVENT_COLUMNS},
  event_ms AS `timestamp`,
  video_ms AS COALESCE(eventData.`duration`, 0),
  event_time AS TO_TIMESTAMP_LTZ(`timestamp`, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '{WATERMARK_DELAY_SECONDS}' SECOND
) {options}"""


def json_sink_ddl(table: str, columns: str, path: str, *options: str) -> str:
    """A table of JSON lines under ``path``, one partition a day (``dt``), each committed with a success file."""
    sink = with_clause(
        "'connector' = 'filesystem'",
        f"'path' = '{path}'",
        "'format' = 'json'",
        *options,
        "'sink.partition-commit.policy.kind' = 'success-file'",
    )
    return f"""
CREATE TABLE {table} (
  {columns},
  dt STRING
) PARTITIONED BY (dt) {sink}"""


def sink_ddl(output_path: str) -> str:
    return json_sink_ddl("session_analytics", SESSION_COLUMNS, output_path)


def export_sink_ddl(export_path: str) -> str:
    # Null fields are left out, so an absent attemptCount reads as the features' default (1).
    return json_sink_ddl("user_events_export", EVENT_COLUMNS, export_path, "'json.encode.ignore-null-fields' = 'true'")


def export_sql() -> str:
    """Every event with the fields the exit-risk features need, partitioned by its UTC day."""
    condition = " AND ".join(f"{column} IS NOT NULL" for column in EXPORT_REQUIRED)
    return f"""
INSERT INTO user_events_export
SELECT userId, sessionId, eventId, eventType, `timestamp`, eventData, DATE_FORMAT(event_time, 'yyyy-MM-dd') AS dt
FROM user_events
WHERE {condition}"""


def sessions_sql(gap_minutes: int = GAP_MINUTES) -> str:
    """Session window per user with a 30-minute gap (Flink merges windows that touch: gap <= 30 min is one session)."""
    columns = ",\n  ".join(
        f"CAST({expr} AS {'DOUBLE' if name.endswith('Seconds') else 'BIGINT'}) AS {name}" for name, expr in AGGREGATES.items()
    )
    return f"""
INSERT INTO session_analytics
SELECT
  userId,
  window_start AS sessionStart,
  window_end AS sessionEnd,
  {columns},
  DATE_FORMAT(window_start, 'yyyy-MM-dd') AS dt
FROM TABLE(
  SESSION(TABLE user_events PARTITION BY userId, DESCRIPTOR(event_time), INTERVAL '{gap_minutes}' MINUTES)
)
GROUP BY userId, window_start, window_end"""


def load_properties(path: Path = PROPERTIES_FILE) -> dict[str, str]:
    """The ``SessionJob`` property group, with a clear error when a property is missing."""
    groups = json.loads(path.read_text())
    props = next((g.get("PropertyMap", {}) for g in groups if g.get("PropertyGroupId") == PROPERTY_GROUP), None)
    if props is None:
        raise SystemExit(f"{path}: property group {PROPERTY_GROUP!r} is missing")
    missing = [key for key in REQUIRED_PROPERTIES if not props.get(key)]
    if not props.get("stream.arn") and not props.get("stream.name"):
        missing.append("stream.arn or stream.name")
    if not str(props.get("session.gap.minutes", GAP_MINUTES)).isdigit():
        raise SystemExit(f"{path}: session.gap.minutes must be a whole number, got {props['session.gap.minutes']!r}")
    if missing:
        raise SystemExit(f"{path}: property group {PROPERTY_GROUP!r} lacks {missing}")
    return props


def main() -> None:
    from pyflink.table import EnvironmentSettings, TableEnvironment  # only in the Flink runtime

    props = load_properties()
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    jars = sorted((Path(__file__).resolve().parent / "lib").glob("*.jar"))
    if not jars:
        raise SystemExit("lib/: no Kinesis connector jar (built without UJA_FLINK_CONNECTOR_JAR)")
    env.get_config().set("pipeline.jars", ";".join(jar.as_uri() for jar in jars))
    env.execute_sql(source_ddl(stream_options(props), props["aws.region"]))
    env.execute_sql(sink_ddl(props["output.path"]))
    env.execute_sql(export_sink_ddl(props["export.path"]))
    # One job reading the stream once for both sinks.
    statements = env.create_statement_set()
    statements.add_insert_sql(sessions_sql(int(props.get("session.gap.minutes", GAP_MINUTES))))
    statements.add_insert_sql(export_sql())
    statements.execute()


if __name__ == "__main__":
    main()
