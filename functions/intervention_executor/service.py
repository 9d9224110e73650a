"""The intervention executor's work with its adapters passed in (spec section 4).

Order per request: (1) a conditional update of the profile on its ``version`` appends the history
entry (``pending``, or ``suppressed`` past 3 published per hour) unless the requestId is already
there; (2) publish to ``user-interventions`` (critical: the user's message, then the support
team's); (3) mark the entry ``sent``. A failed publish raises, the message comes back, and the
retry finds the entry and publishes what is still missing: for critical, ``user_published``
records that the user's message went out, so a retry publishes only the support message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from common import metrics
from common.adapters import SNS, ConditionFailed, DynamoDB, TransientError
from common.dynamo import from_item, to_attr
from common.messages import InterventionNotification, InterventionRequest
from common.metrics import Counts
from common.settings import Settings
from intervention_executor import rules

UPDATE_ATTEMPTS = 5


@dataclass(frozen=True)
class Dependencies:
    settings: Settings
    dynamodb: DynamoDB
    sns: SNS
    clock: Callable[[], int]  # epoch ms


def _update_history(
    deps: Dependencies, user_id: str, change: Callable[[list[dict[str, Any]]], list[Mapping[str, object]] | None], counts: Counts
) -> list[dict[str, Any]]:
    """Read the profile, apply ``change`` to its history and write it back conditioned on ``version``.

    ``change`` returns the new history, or None for no write. Returns the history as stored.
    """
    table = deps.settings.USER_PROFILES_TABLE
    key = {"userId": to_attr(user_id)}
    for _ in range(UPDATE_ATTEMPTS):
        raw = deps.dynamodb.get_item(table, key)
        profile = from_item(raw) if raw else {}
        history = list(profile.get("interventionHistory", []))
        new = change(history)
        if new is None:
            return history
        version = profile.get("version")
        condition = "version = :v" if version is not None else "attribute_not_exists(version)"
        values = {":h": to_attr(list(new)), ":next": to_attr(int(version or 0) + 1)}
        if version is not None:
            values[":v"] = to_attr(version)
        try:
            deps.dynamodb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="SET interventionHistory = :h, version = :next",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
            return list(new)  # type: ignore[arg-type]
        except ConditionFailed:
            counts.add(metrics.CONDITIONAL_CONFLICTS)
    raise TransientError(f"{table}: profile {user_id} kept changing for {UPDATE_ATTEMPTS} attempts")


def record_request(deps: Dependencies, r: InterventionRequest, counts: Counts) -> dict[str, Any]:
    """The request's history entry: appended now (pending or suppressed), or the one already there."""
    at = deps.clock()
    entry = {"requestId": r.requestId, "type": r.interventionType, "priority": r.priority, "channel": rules.channel(r.priority), "at": at}

    def append(history: list[dict[str, Any]]) -> list[Mapping[str, object]] | None:
        if rules.find(history, r.requestId) is not None:
            return None
        return rules.appended(history, {**entry, "status": rules.initial_status(history, at)})

    found = rules.find(_update_history(deps, r.userId, append, counts), r.requestId)
    if found is None:  # cannot happen: the entry is appended last or was already there
        raise RuntimeError(f"profile {r.userId}: history lost request {r.requestId}")
    return dict(found)


def set_status(deps: Dependencies, user_id: str, request_id: str, status: str, counts: Counts) -> None:
    def mark(history: list[dict[str, Any]]) -> list[Mapping[str, object]] | None:
        current = rules.find(history, request_id)
        return None if current is None or current.get("status") == status else rules.with_status(history, request_id, status)

    _update_history(deps, user_id, mark, counts)


def _publish(deps: Dependencies, r: InterventionRequest, entry: Mapping[str, Any], audience: str) -> None:
    text = rules.text(r.interventionType) if audience == "user" else rules.support_text(r.userId, r.interventionType)
    note = InterventionNotification(
        requestId=r.requestId,
        userId=r.userId,
        interventionType=r.interventionType,
        priority=r.priority,
        channel=entry["channel"],
        text=text,
        at=int(entry["at"]),
        audience=audience,
    )
    deps.sns.publish(deps.settings.USER_INTERVENTIONS_TOPIC_ARN, note.model_dump_json(), note.sns_attributes())


def execute(deps: Dependencies, r: InterventionRequest, counts: Counts) -> dict[str, Any]:
    """One intervention request; returns its history entry (the idempotency record's stored result)."""
    entry = record_request(deps, r, counts)
    status = entry["status"]
    if status == "suppressed":
        counts.add(metrics.INTERVENTIONS_SUPPRESSED)
    if status in ("pending", "user_published"):
        if status == "pending":
            _publish(deps, r, entry, "user")
        if r.priority == "critical":
            if status == "pending":
                set_status(deps, r.userId, r.requestId, "user_published", counts)
            _publish(deps, r, entry, "support")
        set_status(deps, r.userId, r.requestId, "sent", counts)
        counts.add(metrics.INTERVENTIONS_SENT)
        entry = {**entry, "status": "sent"}
    counts.add(metrics.RECORDS_PROCESSED)
    return entry
