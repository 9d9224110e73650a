"""Configuration from environment variables (spec section 3, "Packaging and configuration").

``REQUIRED_ENV`` is the contract with the Terraform functions module: each function gets exactly
these variables. They are read and validated on first use, not at import, and a missing one is
named in the error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cached_property

_OBSERVABILITY = ("POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL")

REQUIRED_ENV: dict[str, tuple[str, ...]] = {
    "event-processor": (
        "USER_EVENTS_TABLE",
        "USER_PROFILES_TABLE",
        "STRUGGLE_QUEUE_URL",
        "VIDEO_QUEUE_URL",
        "EVENT_LOGS_BUCKET",
        "TIMESTREAM_DATABASE",
        *_OBSERVABILITY,
    ),
    "struggle-detector": (
        "STRUGGLE_SIGNALS_TABLE",
        "USER_EVENTS_TABLE",
        "USER_PROFILES_TABLE",
        "IDEMPOTENCY_TABLE",
        "INTERVENTIONS_QUEUE_URL",
        "EXIT_RISK_ENDPOINT",
        "TIMESTREAM_DATABASE",
        *_OBSERVABILITY,
    ),
    "video-analyzer": (
        "VIDEO_ENGAGEMENT_TABLE",
        "USER_PROFILES_TABLE",
        "IDEMPOTENCY_TABLE",
        "INTERVENTIONS_QUEUE_URL",
        "VIDEO_ENDPOINT",
        "TIMESTREAM_DATABASE",
        *_OBSERVABILITY,
    ),
    "intervention-executor": (
        "USER_PROFILES_TABLE",
        "IDEMPOTENCY_TABLE",
        "USER_INTERVENTIONS_TOPIC_ARN",
        *_OBSERVABILITY,
    ),
}

# Present but allowed to be empty: an empty TIMESTREAM_DATABASE means Timestream is switched off.
MAY_BE_EMPTY = frozenset({"TIMESTREAM_DATABASE"})
METRICS_NAMESPACE = "UserJourneyAnalytics"


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or wrong; the message names it."""


class Settings:
    """One function's configuration: ``settings.USER_EVENTS_TABLE`` or ``settings["USER_EVENTS_TABLE"]``.

    Nothing is read until the first access; then every variable of the function is checked at
    once, so a deployment with a missing variable fails on its first event with all names listed.
    """

    def __init__(self, function: str, environ: Mapping[str, str] | None = None) -> None:
        if function not in REQUIRED_ENV:
            raise ConfigurationError(f"unknown function {function!r}; known: {', '.join(REQUIRED_ENV)}")
        self.function = function
        self._environ = environ

    @cached_property
    def _values(self) -> dict[str, str]:
        environ = os.environ if self._environ is None else self._environ
        names = REQUIRED_ENV[self.function]
        missing = [n for n in names if n not in environ or (not environ[n] and n not in MAY_BE_EMPTY)]
        if missing:
            raise ConfigurationError(f"{self.function}: missing environment variable(s) {', '.join(missing)}")
        namespace = environ["POWERTOOLS_METRICS_NAMESPACE"]
        if namespace != METRICS_NAMESPACE:
            raise ConfigurationError(f"{self.function}: POWERTOOLS_METRICS_NAMESPACE is {namespace!r}, expected {METRICS_NAMESPACE!r}")
        return {n: environ[n] for n in names}

    def __getitem__(self, name: str) -> str:
        values = self._values
        if name not in values:
            raise ConfigurationError(f"{self.function} does not use environment variable {name} (not in REQUIRED_ENV)")
        return values[name]

    def __getattr__(self, name: str) -> str:
        if not name.isupper():
            raise AttributeError(name)
        return self[name]

    @property
    def timestream_enabled(self) -> bool:
        return bool(self["TIMESTREAM_DATABASE"])

    def validate(self) -> Settings:
        """Check every variable now (e.g. in a smoke test) and return self."""
        _ = self._values
        return self
