"""The struggle detector's work with its adapters passed in (spec section 4).

SQS path (``detect``): score the candidate, store the signal, write Timestream, and at level high
or critical open a 30-minute cooldown window per user and feature with a conditional put; only the
call that opens the window sends the ``InterventionRequest`` (its requestId carries the window's
start). Bedrock path (``analyze``): the same analysis, read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common import metrics
from common.adapters import ConditionFailed, ScoringDependencies
from common.dynamo import from_item, shard_suffix, to_attr, to_item
from common.messages import InterventionRequest, StruggleCandidate, struggle_intervention_request_id
from common.metrics import Counts
from common.scoring import exit_risk
from common.scoring.features import derive_features
from struggle_detector import rules

SIGNAL_TTL_SECONDS = 30 * 86_400
COOLDOWN_TTL_GRACE_SECONDS = 86_400
EVENT_ATTRIBUTES = ("eventType", "timestamp", "sessionId", "eventData")


Dependencies = ScoringDependencies  # the same dependencies as the other scoring function


@dataclass(frozen=True)
class Analysis:
    severity: str
    risk_score: int
    base_level: str
    level: str
    exit_risk: dict[str, Any]
    prior_signals: int
    recommendations: dict[str, object]

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "riskScore": self.risk_score,
            "riskLevel": self.level,
            "levelBeforeExitRisk": self.base_level,
            "exitRisk": self.exit_risk,
            "priorSignals": self.prior_signals,
            "recommendations": self.recommendations,
        }


def _prior_signals(deps: Dependencies, user_id: str, signal_key: str | None, detected_at: int) -> list[dict[str, Any]]:
    items = deps.dynamodb.query(
        TableName=deps.settings.STRUGGLE_SIGNALS_TABLE,
        KeyConditionExpression="userId = :u",
        # Narrows the read; rules.prior_signals is the exact rule (cooldown items carry no detectedAt).
        FilterExpression="itemType = :signal AND detectedAt BETWEEN :from AND :to",
        ExpressionAttributeValues={
            ":u": to_attr(user_id),
            ":signal": to_attr("signal"),
            ":from": to_attr(detected_at - rules.DAY_MS),
            ":to": to_attr(detected_at),
        },
    )
    return rules.prior_signals([from_item(i) for i in items], signal_key or "", detected_at)


def exit_features(deps: Dependencies, user_id: str, now_ms: int) -> dict[str, float]:
    """The 13 features from the user's events of the 24 h before ``now_ms`` and the profile."""
    events = deps.dynamodb.query(
        TableName=deps.settings.USER_EVENTS_TABLE,
        KeyConditionExpression="userId = :u AND eventKey BETWEEN :from AND :to",
        ProjectionExpression=", ".join(f"#a{i}" for i in range(len(EVENT_ATTRIBUTES))),
        ExpressionAttributeNames={f"#a{i}": name for i, name in enumerate(EVENT_ATTRIBUTES)},
        ExpressionAttributeValues={
            ":u": to_attr(user_id),
            ":from": to_attr(f"{now_ms - rules.DAY_MS:013d}#"),
            ":to": to_attr(f"{now_ms:013d}#~"),  # '~' sorts after every eventId character
        },
    )
    profile_item = deps.dynamodb.get_item(deps.settings.USER_PROFILES_TABLE, {"userId": to_attr(user_id)}, consistent=False)
    profile = from_item(profile_item) if profile_item else {}
    session = profile.get("currentSession") or {}
    current = (session["start"], session["last"]) if "start" in session and "last" in session else None
    return derive_features([from_item(e) for e in events], now_ms, profile.get("engagementScore"), current)


def exit_probability(deps: Dependencies, features: dict[str, float], counts: Counts) -> dict[str, Any]:
    """The exit-risk endpoint's prediction, or the same code in-process when the endpoint fails."""
    payload = {"instances": [features]}
    try:
        answer = deps.sagemaker.invoke(deps.settings.EXIT_RISK_ENDPOINT, payload)
        prediction = answer["predictions"][0]
        probability = float(prediction["probability"])
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"probability {probability} out of range")
        source = "endpoint"
    except Exception:  # any endpoint failure, transport or answer, falls back to the same model in-process
        counts.add(metrics.FALLBACK_SCORING)
        prediction = exit_risk.prediction(features)
        probability = float(prediction["probability"])
        source = "fallback"
    return {"probability": probability, "label": int(probability > exit_risk.THRESHOLD), "source": source}


def analyze(
    deps: Dependencies, user_id: str, feature_id: str, attempts: int, detected_at: int, signal_key: str | None, counts: Counts
) -> Analysis:
    prior = _prior_signals(deps, user_id, signal_key, detected_at)
    severity = rules.severity(attempts)
    score = rules.risk_score(attempts, [str(p["severity"]) for p in prior])
    base = rules.risk_level(score)
    risk = exit_probability(deps, exit_features(deps, user_id, detected_at), counts)
    level = rules.stepped_level(base, risk["probability"])
    return Analysis(severity, score, base, level, risk, len(prior), rules.recommendations(level, attempts))


def _store_signal(deps: Dependencies, c: StruggleCandidate, key: str, analysis: Analysis) -> None:
    item = {
        "userId": c.userId,
        "signalKey": key,
        "itemType": "signal",
        "featureId": c.featureId,
        "detectedAt": c.detectedAt,
        "severity": analysis.severity,
        "severityShard": f"{analysis.severity}#{shard_suffix(c.userId)}",
        "attemptCount": c.attemptCount,
        "riskScore": analysis.risk_score,
        "riskLevel": analysis.level,
        "exitProbability": analysis.exit_risk["probability"],
        "sessionId": c.sessionId,
        "eventType": c.eventType,
        "requestId": c.requestId,
        "ttl": c.detectedAt // 1000 + SIGNAL_TTL_SECONDS,
    }
    # Same key, same item: a redelivery rewrites it unchanged.
    deps.dynamodb.put_item(TableName=deps.settings.STRUGGLE_SIGNALS_TABLE, Item=to_item(item))


def _write_timestream(deps: Dependencies, c: StruggleCandidate, analysis: Analysis, counts: Counts) -> None:
    record = {
        "Dimensions": [
            {"Name": "userId", "Value": c.userId},
            {"Name": "featureId", "Value": c.featureId},
            {"Name": "severity", "Value": analysis.severity},
            {"Name": "eventId", "Value": c.sourceEventIds[0]},
        ],
        "MeasureName": "struggle",
        "MeasureValueType": "MULTI",
        "MeasureValues": [
            {"Name": "risk_score", "Value": str(analysis.risk_score), "Type": "BIGINT"},
            {"Name": "attempt_count", "Value": str(c.attemptCount), "Type": "BIGINT"},
            {"Name": "exit_probability", "Value": repr(analysis.exit_risk["probability"]), "Type": "DOUBLE"},
        ],
        "Time": str(c.detectedAt),
        "TimeUnit": "MILLISECONDS",
        "Version": 1,
    }
    deps.write_timestream("struggle-signals", record, counts)


def open_cooldown(deps: Dependencies, c: StruggleCandidate) -> bool:
    """Open the user's window for this feature unless one is open; True when this call opened it.

    The condition reads ``expiresAt`` rather than relying on TTL deletion (which lags by up to days).
    ``openedBy`` lets a retry of the same candidate, whose first attempt opened the window and then
    failed, open it again and send the same request (the executor is idempotent on its requestId).
    """
    start = c.detectedAt
    item = {
        "userId": c.userId,
        "signalKey": rules.cooldown_key(c.featureId),
        "itemType": "cooldown",
        "windowStart": start,
        "expiresAt": start + rules.COOLDOWN_MS,
        "openedBy": c.requestId,
        "ttl": (start + rules.COOLDOWN_MS) // 1000 + COOLDOWN_TTL_GRACE_SECONDS,
    }
    try:
        deps.dynamodb.put_item(
            TableName=deps.settings.STRUGGLE_SIGNALS_TABLE,
            Item=to_item(item),
            ConditionExpression="attribute_not_exists(signalKey) OR expiresAt < :now OR openedBy = :rid",
            ExpressionAttributeValues={":now": to_attr(start), ":rid": to_attr(c.requestId)},
        )
    except ConditionFailed:
        return False
    return True


def detect(deps: Dependencies, c: StruggleCandidate, counts: Counts) -> dict[str, Any]:
    """One struggle candidate from SQS; returns a summary (the idempotency record's stored result)."""
    key = rules.signal_key(c.featureId, c.detectedAt, c.sourceEventIds[0])
    analysis = analyze(deps, c.userId, c.featureId, c.attemptCount, c.detectedAt, key, counts)
    _store_signal(deps, c, key, analysis)
    _write_timestream(deps, c, analysis, counts)
    summary: dict[str, Any] = {
        "signalKey": key,
        "riskScore": analysis.risk_score,
        "riskLevel": analysis.level,
        "interventionRequestId": None,
    }
    wanted = rules.intervention(analysis.level)
    if wanted and open_cooldown(deps, c):
        kind, priority = wanted
        request = InterventionRequest(
            requestId=struggle_intervention_request_id(c.userId, c.featureId, c.detectedAt),
            sourceEventIds=list(c.sourceEventIds),
            userId=c.userId,
            interventionType=kind,
            priority=priority,
            featureId=c.featureId,
            riskScore=float(analysis.risk_score),
        )
        deps.sqs.send(deps.settings.INTERVENTIONS_QUEUE_URL, request.model_dump_json(exclude_none=True))
        counts.add(metrics.MESSAGES_SENT)
        summary["interventionRequestId"] = request.requestId
    counts.add(metrics.RECORDS_PROCESSED)
    return summary
