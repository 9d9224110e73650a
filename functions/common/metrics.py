"""Metric names (EMF, namespace UserJourneyAnalytics). Alarms and dashboards use these names."""

from __future__ import annotations

from collections import Counter

NAMESPACE = "UserJourneyAnalytics"

RECORDS_PROCESSED = "RecordsProcessed"
RECORDS_QUARANTINED = "RecordsQuarantined"
RECORDS_RETRIED = "RecordsRetried"  # reported as batch item failures: Lambda delivers them again
RECORDS_REJECTED = "RecordsRejected"  # Timestream rejected records (an alarm sums the writers')
TIMESTREAM_DISABLED = "TimestreamDisabled"  # records not written because Timestream is switched off
FALLBACK_SCORING = "FallbackScoring"  # in-process scoring because the SageMaker endpoint failed
MESSAGES_SENT = "MessagesSent"
CONDITIONAL_CONFLICTS = "ConditionalConflicts"
INTERVENTIONS_SENT = "InterventionsSent"
INTERVENTIONS_SUPPRESSED = "InterventionsSuppressed"

ALL = (
    RECORDS_PROCESSED,
    RECORDS_QUARANTINED,
    RECORDS_RETRIED,
    RECORDS_REJECTED,
    TIMESTREAM_DISABLED,
    FALLBACK_SCORING,
    MESSAGES_SENT,
    CONDITIONAL_CONFLICTS,
    INTERVENTIONS_SENT,
    INTERVENTIONS_SUPPRESSED,
)


class Counts(Counter[str]):
    """Counts of one invocation, keyed by the names above; ``emit`` hands them to Powertools Metrics."""

    def add(self, name: str, value: int = 1) -> None:
        if name not in ALL:
            raise ValueError(f"unknown metric {name!r}; add it to common.metrics")
        self[name] += value

    def emit(self, metrics) -> None:  # metrics: aws_lambda_powertools.Metrics (imported lazily)
        from aws_lambda_powertools.metrics import MetricUnit

        for name, value in sorted(self.items()):
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
