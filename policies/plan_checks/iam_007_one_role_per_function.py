from collections import Counter

from policies.base import Rule, register
from policies.plan_checks import PlanView

RULE = register(
    Rule(
        "UJA_IAM_007",
        "Every Lambda function must have an IAM role of its own",
        "HIGH",
        "A shared role gives each function the union of all their permissions.",
        "Create one aws_iam_role per function (for_each over the functions, role = aws_iam_role.this[each.key].arn).",
    )
)


def evaluate(view: PlanView) -> list[tuple[str, bool]]:
    roles = {a: view.target(a, "role", "aws_iam_role") for a in view.of_type("aws_lambda_function")}
    shared = Counter(r for r in roles.values() if r is not None)
    return [(address, shared[role] == 1) for address, role in roles.items() if role is not None]
