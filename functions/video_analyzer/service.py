"""The video analyzer's work with its adapters passed in (spec section 4).

SQS path (``analyze_view``): a read-modify-write of the (user, video) item conditioned on its
``version``, retried on conflict, so concurrent views keep the accumulators exact; then the
profile's ``engagementScore``, Timestream, and on the third view at level low one
``content_recommendation``. Bedrock path (``user_summary``): read-only.
"""

from __future__ import annotations

from typing import Any

from common import metrics
from common.adapters import ConditionFailed, ScoringDependencies, TransientError
from common.dynamo import from_item, to_attr, to_item
from common.messages import InterventionRequest, VideoCandidate, video_intervention_request_id
from common.metrics import Counts
from common.scoring import video_engagement
from video_analyzer.rules import Engagement, View, apply_view, engagement_of, mean_interest, wants_recommendation

WRITE_ATTEMPTS = 5
TOP_VIDEOS = 5


Dependencies = ScoringDependencies  # the same dependencies as the other scoring function


def _key(user_id: str, video_id: str) -> dict:
    return {"userId": to_attr(user_id), "videoId": to_attr(video_id)}


def _item(user_id: str, video_id: str, state: Engagement, version: int) -> dict:
    return to_item(
        {
            "userId": user_id,
            "videoId": video_id,
            "viewCount": state.view_count,
            "totalWatchMs": state.total_watch_ms,
            "maxCompletionRate": state.max_completion_rate,
            "lastWatchedAt": state.last_watched_at,
            "interestScore": state.interest_score,
            "engagementLevel": state.level,
            "patterns": list(state.patterns),
            "appliedRequests": [{"requestId": r, "viewCount": n} for r, n in state.applied],
            "version": version,
        }
    )


def record_view(deps: Dependencies, c: VideoCandidate, counts: Counts) -> Engagement:
    """Apply one view with a version-conditioned put; on a conflict re-read and apply again."""
    table = deps.settings.VIDEO_ENGAGEMENT_TABLE
    view = View(c.requestId, c.watchMs, c.completionRate, c.at)
    for _ in range(WRITE_ATTEMPTS):
        raw = deps.dynamodb.get_item(table, _key(c.userId, c.videoId))
        stored = from_item(raw) if raw else None
        current = engagement_of(stored)
        state = apply_view(current, view)
        if state is current:  # this request was applied by an earlier attempt
            return state
        version = int(stored["version"]) if stored else 0
        condition = (
            {"ConditionExpression": "version = :v", "ExpressionAttributeValues": {":v": to_attr(version)}}
            if stored
            else {"ConditionExpression": "attribute_not_exists(userId)"}
        )
        try:
            deps.dynamodb.put_item(TableName=table, Item=_item(c.userId, c.videoId, state, version + 1), **condition)
            return state
        except ConditionFailed:
            counts.add(metrics.CONDITIONAL_CONFLICTS)
    raise TransientError(f"{table}: ({c.userId}, {c.videoId}) kept changing for {WRITE_ATTEMPTS} attempts")


def _interest_scores(deps: Dependencies, user_id: str) -> list[dict[str, Any]]:
    items = deps.dynamodb.query(
        TableName=deps.settings.VIDEO_ENGAGEMENT_TABLE,
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": to_attr(user_id)},
    )
    return [from_item(i) for i in items]


def update_profile_engagement(deps: Dependencies, user_id: str) -> float:
    """The profile's engagementScore: mean interest over the user's videos, read after this write."""
    score = mean_interest([float(v["interestScore"]) for v in _interest_scores(deps, user_id)])
    deps.dynamodb.update_item(
        TableName=deps.settings.USER_PROFILES_TABLE,
        Key={"userId": to_attr(user_id)},
        UpdateExpression="SET engagementScore = :s",
        ExpressionAttributeValues={":s": to_attr(score)},
    )
    return score


def _write_timestream(deps: Dependencies, c: VideoCandidate, state: Engagement, counts: Counts) -> None:
    record = {
        "Dimensions": [
            {"Name": "userId", "Value": c.userId},
            {"Name": "videoId", "Value": c.videoId},
            {"Name": "eventId", "Value": c.sourceEventIds[0]},
        ],
        "MeasureName": "interest_score",
        "MeasureValue": repr(state.interest_score),
        "MeasureValueType": "DOUBLE",
        "Time": str(c.at),
        "TimeUnit": "MILLISECONDS",
        "Version": 1,
    }
    deps.write_timestream("video-engagement", record, counts)


def analyze_view(deps: Dependencies, c: VideoCandidate, counts: Counts) -> dict[str, Any]:
    """One video view from SQS; returns a summary (the idempotency record's stored result)."""
    state = record_view(deps, c, counts)
    engagement = update_profile_engagement(deps, c.userId)
    _write_timestream(deps, c, state, counts)
    summary: dict[str, Any] = {
        "viewCount": state.view_count,
        "interestScore": state.interest_score,
        "level": state.level,
        "engagementScore": engagement,
        "interventionRequestId": None,
    }
    if wants_recommendation(state, c.requestId):
        request = InterventionRequest(
            requestId=video_intervention_request_id(c.userId, c.videoId),
            sourceEventIds=list(c.sourceEventIds),
            userId=c.userId,
            interventionType="content_recommendation",
            priority="normal",
            videoId=c.videoId,
            riskScore=round(100 - state.interest_score, 2),  # low interest, high risk of losing the viewer
        )
        deps.sqs.send(deps.settings.INTERVENTIONS_QUEUE_URL, request.model_dump_json(exclude_none=True))
        counts.add(metrics.MESSAGES_SENT)
        summary["interventionRequestId"] = request.requestId
    counts.add(metrics.RECORDS_PROCESSED)
    return summary


def score(deps: Dependencies, instance: dict[str, float], counts: Counts) -> dict[str, Any]:
    """The video-engagement endpoint's prediction, or the same code in-process when it fails."""
    try:
        answer = deps.sagemaker.invoke(deps.settings.VIDEO_ENDPOINT, {"instances": [instance]})
        prediction = answer["predictions"][0]
        if prediction.get("level") not in video_engagement.RECOMMENDATIONS or not isinstance(prediction.get("recommendations"), list):
            raise ValueError(f"unexpected prediction {prediction!r}")
        return {**prediction, "source": "endpoint"}
    except Exception:  # any endpoint failure, transport or answer, falls back to the same model in-process
        counts.add(metrics.FALLBACK_SCORING)
        return {**video_engagement.prediction(instance), "source": "fallback"}


def user_summary(deps: Dependencies, user_id: str, video_id: str | None, counts: Counts) -> dict[str, Any]:
    """Totals, averages, the top 5 videos by interest, and the level and recommendations.

    The endpoint scores one instance: the named video's accumulators, or the user's as a whole
    (views summed, watch time and completion averaged per video).
    """
    videos = _interest_scores(deps, user_id)
    if video_id is not None:
        videos = [v for v in videos if v["videoId"] == video_id]
    count = len(videos)
    views = sum(int(v["viewCount"]) for v in videos)
    watch_ms = sum(int(v["totalWatchMs"]) for v in videos)
    completion = sum(float(v["maxCompletionRate"]) for v in videos) / count if count else 0.0
    instance = {"viewCount": views, "totalWatchMs": watch_ms / count if count else 0, "maxCompletionRate": completion}
    top = sorted(videos, key=lambda v: (-float(v["interestScore"]), str(v["videoId"])))[:TOP_VIDEOS]
    return {
        "userId": user_id,
        "videoId": video_id,
        "videos": count,
        "totalViews": views,
        "totalWatchMs": watch_ms,
        "averageInterestScore": mean_interest([float(v["interestScore"]) for v in videos]),
        "averageCompletionRate": round(completion, 4),
        "topVideos": [{"videoId": v["videoId"], "interestScore": v["interestScore"], "viewCount": v["viewCount"]} for v in top],
        "engagement": score(deps, instance, counts),
    }
