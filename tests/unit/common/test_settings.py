from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.settings import METRICS_NAMESPACE, REQUIRED_ENV, ConfigurationError, Settings
from journey_guard.terraform.build import FUNCTIONS
from tests.support import terraform_source

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


@pytest.mark.spec("lambda-env-list-shared")
def test_list_matches_the_spec_text() -> None:
    section = SPEC.read_text().split("Environment variables (only those a")[1].split("The settings module")[0]
    assert set(re.findall(r"`([A-Z_]+)`", section)) == SPEC_VARIABLES


def test_nothing_is_read_until_first_use() -> None:
    settings = Settings("event-processor", environ={})
    with pytest.raises(ConfigurationError, match="event-processor: missing environment variable"):
        _ = settings.USER_EVENTS_TABLE


@pytest.mark.spec("lambda-env-list-shared")
def test_error_names_every_missing_variable(function_env) -> None:
    env = function_env("event-processor")
    del env["VIDEO_QUEUE_URL"]
    env["EVENT_LOGS_BUCKET"] = ""
    with pytest.raises(ConfigurationError) as info:
        Settings("event-processor", environ=env).validate()
    assert "VIDEO_QUEUE_URL" in str(info.value) and "EVENT_LOGS_BUCKET" in str(info.value)
    assert "USER_EVENTS_TABLE" not in str(info.value)


@pytest.mark.spec("lambda-env-timestream-empty")
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


# Where each variable's value comes from in terraform/modules/functions (the spec's names bound to
# the right resource: USER_EVENTS_TABLE to the user-events table, not another one).
TERRAFORM_SOURCES = {
    "USER_EVENTS_TABLE": '${var.table_names["user_events"]}',
    "USER_PROFILES_TABLE": '${var.table_names["user_profiles"]}',
    "STRUGGLE_SIGNALS_TABLE": '${var.table_names["struggle_signals"]}',
    "VIDEO_ENGAGEMENT_TABLE": '${var.table_names["video_engagement"]}',
    "IDEMPOTENCY_TABLE": '${var.table_names["idempotency"]}',
    "STRUGGLE_QUEUE_URL": '${var.queue_urls["struggle_signals"]}',
    "VIDEO_QUEUE_URL": '${var.queue_urls["video_analysis"]}',
    "INTERVENTIONS_QUEUE_URL": '${var.queue_urls["interventions"]}',
    "STREAM_FAILURES_QUEUE_URL": '${var.queue_urls["stream_failures"]}',
    "EVENT_LOGS_BUCKET": "${var.event_logs_bucket_name}",
    "TIMESTREAM_DATABASE": "${var.timestream_database_name}",
    "EXIT_RISK_ENDPOINT": '${var.endpoint_names["exit_risk"]}',
    "VIDEO_ENDPOINT": '${var.endpoint_names["video_engagement"]}',
    "USER_INTERVENTIONS_TOPIC_ARN": "${local.topic_arn}",
}


def terraform_environments() -> dict[str, dict[str, str]]:
    """Each function's environment as terraform/modules/functions/main.tf declares it (parsed, not planned)."""
    local = terraform_source.locals_of("functions")
    # The observability variables are merged into every function's own list in `environments`.
    merged = re.findall(r"(POWERTOOLS_SERVICE_NAME|POWERTOOLS_METRICS_NAMESPACE|LOG_LEVEL) = ([^,}]+)", local["environments"])
    return {
        terraform_source.unquote(f["name"]): {**f["environment"], **{name: value.strip() for name, value in merged}}
        for f in local["functions"].values()
    }


@pytest.mark.spec("lambda-env-list-shared")
def test_terraform_gives_each_function_exactly_its_settings() -> None:
    environments = terraform_environments()
    assert set(environments) == set(REQUIRED_ENV)
    for function, names in REQUIRED_ENV.items():
        assert sorted(environments[function]) == sorted(names), function


@pytest.mark.spec("lambda-env-list-shared")
@pytest.mark.spec("lambda-env-powertools")
def test_terraform_binds_each_variable_to_its_resource() -> None:
    for function, env in terraform_environments().items():
        for name, value in env.items():
            if name in TERRAFORM_SOURCES:
                assert value == TERRAFORM_SOURCES[name], f"{function}: {name} = {value}"
        assert env["POWERTOOLS_SERVICE_NAME"] == "local.function_names[k]", function
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == f'"{METRICS_NAMESPACE}"', function
        assert env["LOG_LEVEL"] == "var.log_level", function


@pytest.mark.spec("lambda-env-powertools")
def test_metrics_namespace_is_the_specs() -> None:
    assert METRICS_NAMESPACE == "UserJourneyAnalytics"
