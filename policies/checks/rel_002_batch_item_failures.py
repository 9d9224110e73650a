from typing import Any

from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, is_set, value

BATCH_SOURCES = (":kinesis:", ":dynamodb:", ":sqs:")


def is_stream_mapping(conf: dict[str, Any]) -> bool:
    """Kinesis and DynamoDB stream mappings need a starting_position; SQS mappings must not have one."""
    return is_set(value(conf, "starting_position"))


class BatchItemFailures(UjaCheck):
    ID = "UJA_REL_002"
    NAME = "Kinesis and SQS event source mappings must report batch item failures"
    SEVERITY = "HIGH"
    RATIONALE = "Without ReportBatchItemFailures one bad record makes Lambda retry (and re-apply) the whole batch."
    FIX = 'Set function_response_types = ["ReportBatchItemFailures"].'
    RESOURCES = ("aws_lambda_event_source_mapping",)
    CATEGORY = CheckCategories.GENERAL_SECURITY

    def evaluate(self, conf):
        source = value(conf, "event_source_arn")
        batched = is_stream_mapping(conf) or not isinstance(source, str) or any(s in source for s in BATCH_SOURCES)
        if not batched:
            return True  # Kafka, MQ and DocumentDB sources have no partial batch responses
        types = value(conf, "function_response_types") or []
        types = types if isinstance(types, list) else [types]
        return "ReportBatchItemFailures" in types


check = BatchItemFailures()
