"""The one policy-document model: every form of Principal, Action, Resource and Condition, and the
who-can-act / what-can-be-done questions the checks ask of it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies import policy_document as pd

ACCOUNT = "123456789012"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:uja-q"


def one(**statement: Any) -> pd.Statement:
    found = pd.parse(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", **statement}]}))
    assert found is not None and len(found) == 1
    return found[0]


@pytest.mark.parametrize(
    ("principal", "everyone"),
    [
        ({"Principal": "*"}, True),
        ({"Principal": {"AWS": "*"}}, True),
        ({"Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", "*"]}}, True),
        ({"Principal": {"AWS": "arn:aws:iam::*:root"}}, True),
        ({"NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}, True),
        ({"Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}, False),
        ({"Principal": {"AWS": ACCOUNT}}, False),
        ({"Principal": {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]}}, False),
        ({"Principal": {"Federated": "cognito-identity.amazonaws.com"}}, False),
    ],
)
def test_every_principal_form(principal: dict[str, Any], everyone: bool) -> None:
    st = one(**principal)
    assert st.principals is not None and st.principals.everyone is everyone


def test_conditions_keep_operator_qualifier_and_if_exists() -> None:
    st = one(
        Principal="*", Condition={"ForAnyValue:StringLikeIfExists": {"aws:SourceArn": ["a", "b"]}, "Bool": {"aws:SecureTransport": True}}
    )
    arn = st.condition("AWS:SOURCEARN")[0]
    assert (arn.qualifier, arn.if_exists, arn.base, arn.values) == ("ForAnyValue", True, "stringlike", ("a", "b"))
    assert not arn.requires_match
    assert st.condition("aws:securetransport")[0].values == ("True",)


def test_unresolved_documents_are_none_not_a_verdict() -> None:
    assert pd.parse('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "${var.bucket}"}]}') is None
    assert pd.parse("data.aws_iam_policy_document.x.json") is None
    assert pd.parse(json.dumps({"Statement": [{"Effect": "Allow", "Resource": "arn:aws:s3:::x:var.account_id"}]})) is None


@pytest.mark.parametrize(
    ("condition", "open_"),
    [
        (None, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, True),
        ({"StringEquals": {"aws:RequestedRegion": "us-east-1", "aws:UserAgent": "x"}}, True),
        ({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, True),
        ({"StringEquals": {"aws:PrincipalTag/team": "uja"}}, True),
        ({"StringEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}}, True),
        ({"StringLike": {"aws:PrincipalAccount": "*"}}, True),
        ({"StringLike": {"aws:SourceAccount": "1234567890??"}}, True),
        ({"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}}, True),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, True),
        ({"StringEquals": {"aws:SourceVpce": "vpce-*"}}, True),
        ({"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*"}}, True),
        ({"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}, False),
        ({"StringEquals": {"aws:SourceAccount": [ACCOUNT, "210987654321"]}}, False),
        ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}, False),
        ({"StringEquals": {"aws:SourceOrgID": "o-abcdef1234"}}, False),
        ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/uja-*"}}, False),
        ({"ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{ACCOUNT}:rule/*"}}, False),
        ({"StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}}, False),
        ({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}, False),
    ],
)
def test_everyone_is_open_unless_a_condition_identifies_the_caller(condition: dict[str, Any] | None, open_: bool) -> None:
    st = one(Principal="*", **({"Condition": condition} if condition else {}))
    assert pd.opens_to_everyone(st) is open_
    assert not pd.opens_to_everyone(one(Principal="*", Effect="Deny", **({"Condition": condition} if condition else {})))


LOGS_CONTEXT = {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:*"}}


@pytest.mark.parametrize(
    ("service", "condition", "key_policy", "unguarded"),
    [
        ("events.amazonaws.com", None, False, True),
        ("events.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False, False),
        ("events.amazonaws.com", {"ArnEquals": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/x"}}, False, False),
        ("events.amazonaws.com", {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, False, True),
        ("events.amazonaws.com", {"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}, False, True),
        ("logs.us-east-1.amazonaws.com", LOGS_CONTEXT, True, False),
        ("logs.us-east-1.amazonaws.com", LOGS_CONTEXT, False, True),
        (
            "logs.us-east-1.amazonaws.com",
            {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:*:log-group:*"}},
            True,
            True,
        ),
        ("cloudwatch.amazonaws.com", LOGS_CONTEXT, True, True),
    ],
)
def test_service_principals_need_their_source(service: str, condition: dict[str, Any] | None, key_policy: bool, unguarded: bool) -> None:
    st = one(Principal={"Service": service}, **({"Condition": condition} if condition else {}))
    assert bool(pd.unguarded_services(st, key_policy)) is unguarded


@pytest.mark.parametrize(
    ("resource", "scoped"),
    [
        (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/uja-x:*", True),
        (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/cloudtrail/uja:log-stream:*", True),
        ("arn:aws:s3:::uja-bucket/prefix/*", True),
        ("arn:aws:s3:::uja-bucket/*", True),
        ("arn:aws:s3:::uja-bucket", True),
        (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/uja-users/index/*", True),
        (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/uja-users", True),
        (QUEUE, True),
        ("*", False),
        ("arn:aws:s3:::*", False),
        ("arn:aws:s3:::uja-*", False),
        (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/*", False),
        (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/uja-*", False),
        (f"arn:aws:sqs:us-east-1:{ACCOUNT}:*", False),
        (f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:processing-job/*", False),
        (f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*", False),
        ("arn:aws:dynamodb:*:123456789012:table/uja-users", False),
        ("arn:aws:dynamodb:us-east-1:*:table/uja-users", False),
        ("arn:aws:*:us-east-1:123456789012:table/uja-users", False),
        ("arn:aws:dynamodb:us-east-1:12345678901?:table/uja-users", False),
        (f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/uja-use?s", False),
    ],
)
def test_what_an_identity_policy_may_name(resource: str, scoped: bool) -> None:
    assert pd.scoped_resource(resource) is scoped


def test_key_star_is_scoped_only_by_a_named_alias() -> None:
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*"
    aliased = one(Resource=key, Condition={"ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/uja-events-dev"]}})
    assert pd.kms_alias_scoped(aliased, key)
    assert not pd.kms_alias_scoped(one(Resource=key), key)
    assert not pd.kms_alias_scoped(one(Resource=key, Condition={"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/*"}}), key)
    assert not pd.kms_alias_scoped(one(Resource=key, Condition={"ForAllValues:StringEquals": {"kms:ResourceAliases": "alias/x"}}), key)
