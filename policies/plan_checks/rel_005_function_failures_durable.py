from policies.base import Rule, register
from policies.plan_checks import PlanView, known

RULE = register(
    Rule(
        "UJA_REL_005",
        "Every Lambda function's failures must end somewhere durable (trigger, DLQ or on-failure destination)",
        "HIGH",
        "An asynchronously invoked function without a DLQ or destination drops the event after two retries.",
        "Trigger it through an event source mapping, or set dead_letter_config / an aws_lambda_function_event_invoke_config on_failure destination.",
    )
)


def _first(value: object) -> dict:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def evaluate(view: PlanView) -> list[tuple[str, bool]]:
    durable = set()
    for address in view.of_type("aws_lambda_event_source_mapping"):
        durable.add(view.target(address, "function_name", "aws_lambda_function"))
    for address, config in view.of_type("aws_lambda_function_event_invoke_config").items():
        on_failure = _first(_first(config.get("destination_config")).get("on_failure"))
        if known(on_failure.get("destination")):
            durable.add(view.target(address, "function_name", "aws_lambda_function"))
    results = []
    for address, function in view.of_type("aws_lambda_function").items():
        dead_letter = _first(function.get("dead_letter_config")).get("target_arn")
        results.append((address, address in durable or known(dead_letter)))
    return results
