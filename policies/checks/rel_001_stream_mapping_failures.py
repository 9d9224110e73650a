from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, block, is_set, is_unresolved, number, value
from policies.checks.rel_002_batch_item_failures import is_stream_mapping

MAX_RETRIES = 10
MAX_RECORD_AGE_S = 86400


class StreamMappingFailureHandling(UjaCheck):
    ID = "UJA_REL_001"
    NAME = "Stream event source mappings must bisect on error, bound retries and record age, and send failures to a destination"
    SEVERITY = "HIGH"
    RATIONALE = "A poison record must neither block the shard for its retention nor vanish: failures go somewhere durable."
    FIX = "Set bisect_batch_on_function_error = true, maximum_retry_attempts (0-10), maximum_record_age_in_seconds (60-86400) and destination_config.on_failure.destination_arn."
    RESOURCES = ("aws_lambda_event_source_mapping",)
    CATEGORY = CheckCategories.GENERAL_SECURITY

    def evaluate(self, conf):
        if not is_stream_mapping(conf):
            return True
        if any(
            is_unresolved(value(conf, key))
            for key in ("bisect_batch_on_function_error", "maximum_retry_attempts", "maximum_record_age_in_seconds")
        ):
            return None
        retries = number(conf, "maximum_retry_attempts")
        age = number(conf, "maximum_record_age_in_seconds")
        destination = block(conf, "destination_config")
        on_failure = block(destination, "on_failure") if destination else None
        return (
            value(conf, "bisect_batch_on_function_error") in (True, "true")
            and retries is not None
            and 0 <= retries <= MAX_RETRIES
            and age is not None
            and 60 <= age <= MAX_RECORD_AGE_S
            and on_failure is not None
            and is_set(value(on_failure, "destination_arn"))
        )


check = StreamMappingFailureHandling()
