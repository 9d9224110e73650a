"""Fresh accounts and suffixes, and the sandbox guard of the real-AWS target."""

from __future__ import annotations

import re

import pytest

from journey_guard.ephemeral.account import AccountRefused, check_sandbox, fresh_account_id, fresh_suffix, moto_account


def test_fresh_ids_are_12_digits_and_differ() -> None:
    ids = {fresh_account_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[1-9]\d{11}", i) and i != "123456789012" for i in ids)


def test_suffix_fits_the_name_suffix_variable() -> None:
    assert all(re.fullmatch(r"[a-z][a-z0-9]{7}", fresh_suffix()) for _ in range(50))


def test_moto_account_tags_the_run() -> None:
    acct = moto_account("http://127.0.0.1:1", "210987654321")
    assert acct.tags == {"ephemeral": "true", "run_id": f"it-{acct.name_suffix}"}
    assert acct.env()["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"


def test_sandbox_needs_the_allow_list_and_the_alias() -> None:
    check_sandbox("111122223333", ["team-sandbox-1"], "999988887777, 111122223333")
    with pytest.raises(AccountRefused, match="not listed"):
        check_sandbox("111122223333", ["team-sandbox-1"], None)
    with pytest.raises(AccountRefused, match="alias"):
        check_sandbox("111122223333", ["prod-payments"], "111122223333")
