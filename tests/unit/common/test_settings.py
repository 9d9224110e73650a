from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.settings import REQUIRED_ENV, ConfigurationError, Settings
from journey_guard.build import FUNCTIONS

SPEC = Path(__file__).resolve().parents[3] / "docs" / "system.md"  # the repository's copy of the spec
SPEC_VARIABLES = {
    "USER_EVENTS_TABLE",
    "USER_PROFILES_TABLE",
    "STRUGGLE_SIGNALS_TABLE",
    "VIDEO_ENGAGEMENT_TABLE",
    "IDEMPOTENCY_TABLE",
    "STRUGGLE_QUEUE_URL",
    "VIDEO_QUEUE_URL",
    "INTERVENTIONS_QUEUE_URL",
    "STREAM_FAILURES_QUEUE_URL",
    "EVENT_LOGS_BUCKET",
    "TIMESTREAM_DATABASE",
    "EXIT_RISK_ENDPOINT",
    "VIDEO_ENDPOINT",
    "USER_INTERVENTIONS_TOPIC_ARN",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "LOG_LEVEL",
}


def test_one_entry_per_function_of_the_build() -> None:
    assert set(REQUIRED_ENV) == set(FUNCTIONS)


def test_only_the_specs_variables_and_no_duplicates() -> None:
    for function, names in REQUIRED_ENV.items():
        assert set(names) <= SPEC_VARIABLES, function
        assert len(names) == len(set(names)), function
        assert {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL"} <= set(names)


def test_list_matches_the_spec_text() -> None:
    section = SPEC.read_text().split("Environment variables (only those a")[1].split("The settings module")[0]
    assert set(re.findall(r"`([A-Z_]+)`", section)) == SPEC_VARIABLES


def test_nothing_is_read_until_first_use() -> None:
    settings = Settings("event-processor", environ={})
    with pytest.raises(ConfigurationError, match="event-processor: missing environment variable"):
        _ = settings.USER_EVENTS_TABLE


def test_error_names_every_missing_variable(function_env) -> None:
    env = function_env("event-processor")
    del env["VIDEO_QUEUE_URL"]
    env["EVENT_LOGS_BUCKET"] = ""
    with pytest.raises(ConfigurationError) as info:
        Settings("event-processor", environ=env).validate()
    assert "VIDEO_QUEUE_URL" in str(info.value) and "EVENT_LOGS_BUCKET" in str(info.value)
    assert "USER_EVENTS_TABLE" not in str(info.value)


def test_values_and_empty_timestream(function_env) -> None:
    function_env("struggle-detector", TIMESTREAM_DATABASE="", EXIT_RISK_ENDPOINT="uja-exit-risk-dev")
    settings = Settings("struggle-detector")
    assert settings.EXIT_RISK_ENDPOINT == "uja-exit-risk-dev"
    assert settings["TIMESTREAM_DATABASE"] == ""
    assert settings.timestream_enabled is False


def test_a_variable_the_function_does_not_use_is_refused(function_env) -> None:
    function_env("intervention-executor")
    with pytest.raises(ConfigurationError, match="does not use environment variable USER_EVENTS_TABLE"):
        _ = Settings("intervention-executor").USER_EVENTS_TABLE


def test_wrong_namespace_and_unknown_function(function_env) -> None:
    function_env("video-analyzer", POWERTOOLS_METRICS_NAMESPACE="Other")
    with pytest.raises(ConfigurationError, match="POWERTOOLS_METRICS_NAMESPACE"):
        Settings("video-analyzer").validate()
    with pytest.raises(ConfigurationError, match="unknown function"):
        Settings("video_analyzer")
