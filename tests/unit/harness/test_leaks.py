"""The leak check: survivors by tag and by name; what counts as gone."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from journey_guard.ephemeral import leaks
from journey_guard.ephemeral.account import Account

QUALIFIER = "dev-unit0001"


def test_clean_account_has_no_survivors(account: Account) -> None:
    account.client("s3").create_bucket(Bucket="uja-event-logs-dev-otherrun-123456789012")  # another run's
    report = leaks.check(account, QUALIFIER)
    assert report.clean, report.markdown()


def test_named_and_tagged_survivors_are_reported(account: Account) -> None:
    account.client("dynamodb").create_table(
        TableName=f"uja-user-events-{QUALIFIER}",
        KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    account.client("sqs").create_queue(QueueName="renamed-by-hand", tags={"run_id": account.run_id})
    survivors = leaks.check(account, QUALIFIER).survivors
    assert f"dynamodb: uja-user-events-{QUALIFIER}" in survivors
    assert any(s.startswith("tagged: ") and s.endswith(":renamed-by-hand") for s in survivors)


def test_kms_key_pending_deletion_counts_as_gone_but_not_its_alias(account: Account) -> None:
    kms = account.client("kms")
    key = kms.create_key(Tags=[{"TagKey": "run_id", "TagValue": account.run_id}])["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/uja-events-{QUALIFIER}", TargetKeyId=key)
    assert any(s.startswith("tagged: ") and key in s for s in leaks.check(account, QUALIFIER).survivors)
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert leaks.check(account, QUALIFIER).survivors == [f"kms-alias: alias/uja-events-{QUALIFIER}"]


def test_deleted_nat_gateway_counts_as_gone(account: Account) -> None:
    ec2 = account.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    tags = [{"ResourceType": "natgateway", "Tags": [{"Key": "run_id", "Value": account.run_id}]}]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip, TagSpecifications=tags)["NatGateway"]["NatGatewayId"]
    assert any(nat in s for s in leaks.check(account, QUALIFIER).survivors)
    ec2.delete_nat_gateway(NatGatewayId=nat)
    survivors = leaks.check(account, QUALIFIER).survivors
    assert not any(nat in s for s in survivors), survivors


def _broken_listing(monkeypatch: pytest.MonkeyPatch, operation: str, code: str) -> None:
    """Make every client answer ``code`` to ``operation`` (moto serves the rest)."""
    make_call = BaseClient._make_api_call

    def call(self: BaseClient, name: str, params: dict) -> dict:
        if name == operation:
            raise ClientError({"Error": {"Code": code, "Message": "injected"}}, name)
        return make_call(self, name, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", call)


@pytest.mark.parametrize("code", ["NotImplemented", "AccessDenied"])
def test_a_listing_that_cannot_be_performed_fails_the_check(account: Account, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    _broken_listing(monkeypatch, "DescribeBudgets", code)
    report = leaks.check(account, QUALIFIER)
    assert report.survivors == [] and list(report.unchecked) == ["budgets"] and code in report.unchecked["budgets"]
    assert not report.clean and report.failed_listings == ["budgets"]
    assert "fails the check" in report.markdown()


def test_an_allowed_unchecked_listing_passes_with_its_reason(account: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    _broken_listing(monkeypatch, "DescribeBudgets", "NotImplemented")
    report = leaks.check(account, QUALIFIER, allowed={"budgets": "budget_enabled is off in integration runs"})
    assert report.clean and report.failed_listings == []
    assert "allowed: budget_enabled is off in integration runs" in report.markdown()


def test_every_allowed_skip_names_a_listing_and_a_reason() -> None:
    source = Path(leaks.__file__).read_text()
    for label, reason in leaks.ALLOWED_UNCHECKED.items():
        assert f'"{label}"' in source.split("def listings", 1)[1], f"{label}: not a listing of LeakCheck.listings"
        assert reason.strip(), f"{label}: no reason"
