"""The ephemeral account an integration run deploys into: a fresh moto account, or a real sandbox.

Both targets give the same :class:`Account`: credentials, region, an optional endpoint URL, the
account id, the run id and ``name_suffix`` that keep runs apart, and the tags every resource gets.

- ``moto`` (default): a random 12-digit account id per run, made server-wide in the session's own
  moto server (``MOTO_ACCOUNT_ID``, see :mod:`journey_guard.ephemeral.moto_server`), so two runs never see
  each other's resources even if they shared a server.
- ``aws``: the credentials in the environment (or a role assumed from them, ``UJA_SANDBOX_ROLE_ARN``).
  The account must be marked as a sandbox twice: its id is listed in ``UJA_SANDBOX_ACCOUNT_IDS``
  (comma-separated) and its IAM account alias contains ``sandbox``. Anything else is refused before
  a single resource is created.
"""

from __future__ import annotations

import os
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

SANDBOX_IDS_ENV = "UJA_SANDBOX_ACCOUNT_IDS"
SANDBOX_ROLE_ENV = "UJA_SANDBOX_ROLE_ARN"
SANDBOX_ALIAS_MARK = "sandbox"
MOTO_ACCESS_KEY = "testing"
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
SUFFIX_LENGTH = 8  # the spec's maximum for name_suffix


class AccountRefused(RuntimeError):
    """The target account is not an ephemeral sandbox; nothing was created."""


def fresh_account_id() -> str:
    """A random 12-digit AWS account id (no leading zero, never moto's default 123456789012)."""
    while True:
        candidate = str(secrets.randbelow(9 * 10**11) + 10**11)
        if candidate != "123456789012":
            return candidate


def fresh_suffix() -> str:
    """A ``name_suffix`` for one run: 8 of ``[a-z0-9]``, starting with a letter."""
    return secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH - 1))


@dataclass(frozen=True)
class Account:
    target: str  # "moto" or "aws"
    account_id: str
    region: str
    name_suffix: str
    access_key: str
    secret_key: str
    session_token: str | None = None
    endpoint_url: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        return self.tags["run_id"]

    def env(self) -> dict[str, str]:
        """Environment for SDK clients and the Terraform S3 backend of this account."""
        env = {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        return env

    def _connection(self) -> dict[str, Any]:
        return {
            "region_name": self.region,
            "endpoint_url": self.endpoint_url,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            "aws_session_token": self.session_token,
        }

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client in this account (boto3 is imported here: the policy env lacks it)."""
        import boto3

        return boto3.client(service, **self._connection(), **kwargs)

    def resource(self, service: str) -> Any:
        """A boto3 resource in this account (DynamoDB tables read back as plain items)."""
        import boto3

        return boto3.resource(service, **self._connection())


def _run_tags(run_id: str) -> dict[str, str]:
    return {"ephemeral": "true", "run_id": run_id}


def moto_account(endpoint_url: str, account_id: str, region: str = "us-east-1") -> Account:
    """The account of a moto server started with ``MOTO_ACCOUNT_ID=account_id``."""
    suffix = fresh_suffix()
    return Account(
        target="moto",
        account_id=account_id,
        region=region,
        name_suffix=suffix,
        access_key=MOTO_ACCESS_KEY,
        secret_key=MOTO_ACCESS_KEY,
        endpoint_url=endpoint_url,
        tags=_run_tags(f"it-{suffix}"),
    )


def check_sandbox(account_id: str, aliases: list[str], allowed_ids: str | None) -> None:
    """Refuse unless the account is listed in ``UJA_SANDBOX_ACCOUNT_IDS`` and its alias says sandbox."""
    allowed = {a.strip() for a in (allowed_ids or "").split(",") if a.strip()}
    if account_id not in allowed:
        raise AccountRefused(
            f"account {account_id} is not listed in {SANDBOX_IDS_ENV} ({', '.join(sorted(allowed)) or 'unset'}): "
            "integration runs create and destroy resources and only run in sandbox accounts"
        )
    if not any(SANDBOX_ALIAS_MARK in alias.lower() for alias in aliases):
        raise AccountRefused(
            f"account {account_id} has IAM alias {aliases or 'none'}; a sandbox's alias must contain '{SANDBOX_ALIAS_MARK}'"
        )


def aws_account(region: str | None = None) -> Account:
    """The real sandbox account of the ambient credentials (optionally via ``UJA_SANDBOX_ROLE_ARN``)."""
    import boto3

    session = boto3.Session(region_name=region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    creds = session.get_credentials()
    if creds is None:
        raise AccountRefused("no AWS credentials in the environment for --target aws")
    frozen = creds.get_frozen_credentials()
    access, secret, token = frozen.access_key, frozen.secret_key, frozen.token
    role = os.environ.get(SANDBOX_ROLE_ENV)
    if role:
        assumed = session.client("sts").assume_role(RoleArn=role, RoleSessionName="journey-guard-integration")["Credentials"]
        access, secret, token = assumed["AccessKeyId"], assumed["SecretAccessKey"], assumed["SessionToken"]
    scoped = boto3.Session(aws_access_key_id=access, aws_secret_access_key=secret, aws_session_token=token, region_name=session.region_name)
    account_id = scoped.client("sts").get_caller_identity()["Account"]
    aliases = scoped.client("iam").list_account_aliases()["AccountAliases"]
    check_sandbox(account_id, aliases, os.environ.get(SANDBOX_IDS_ENV))
    suffix = fresh_suffix()
    return Account(
        target="aws",
        account_id=account_id,
        region=session.region_name,
        name_suffix=suffix,
        access_key=access,
        secret_key=secret,
        session_token=token,
        tags=_run_tags(f"it-{suffix}"),
    )
