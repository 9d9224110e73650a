from policies.base import Rule, is_tls_deny, register
from policies.plan_checks import PlanView, known
from policies.policy_document import parse

RULE = register(
    Rule(
        "UJA_ENC_012",
        "Every S3 bucket must have a bucket policy that denies requests without TLS",
        "HIGH",
        "A bucket without the TLS-only statement accepts plain-HTTP requests (UJA_ENC_011 only sees policies that exist).",
        "Add an aws_s3_bucket_policy for the bucket with the DenyInsecureTransport statement on the bucket and bucket/*.",
    )
)


def evaluate(view: PlanView) -> list[tuple[str, bool]]:
    covered: set[str] = set()
    for policy in view.of_type("aws_s3_bucket_policy").values():
        found = parse(policy.get("policy")) if known(policy.get("policy")) else None
        for st in found or []:
            if is_tls_deny(st):
                covered |= {r.split(":::", 1)[-1] for r in st.resources if not r.endswith("/*")}
    return [(a, v["bucket"] in covered) for a, v in view.of_type("aws_s3_bucket").items() if known(v.get("bucket"))]
