from __future__ import annotations

import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.dynamo import from_item, number, shard_suffix, to_attr, to_item

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**37), 10**37)
    | st.text(max_size=20)
    | st.floats(-1e100, 1e100).filter(lambda f: f == 0 or abs(f) > 1e-99),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=6))
def test_item_round_trip(values: dict) -> None:
    expected = {k: v for k, v in values.items() if v is not None}
    assert from_item(to_item(values)) == expected


def test_typed_values() -> None:
    assert to_attr({"a": [1, 1.5, True, None, "s"]}) == {
        "M": {"a": {"L": [{"N": "1"}, {"N": "1.5"}, {"BOOL": True}, {"NULL": True}, {"S": "s"}]}}
    }


@pytest.mark.parametrize("bad", [10**38, float("nan"), float("inf"), 1e126])
def test_numbers_outside_dynamodb_range_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        number(bad)


def test_tiny_numbers_are_stored_as_zero() -> None:
    assert number(1e-200) == "0"


def test_unstorable_type_is_named() -> None:
    with pytest.raises(ValueError, match="bytes"):
        to_attr(b"x")


@pytest.mark.spec("dynamo-shard-crc32")
def test_shard_suffix_is_crc32_mod_10() -> None:
    assert shard_suffix("user-1") == zlib.crc32(b"user-1") % 10
    assert {shard_suffix(f"u{i}") for i in range(200)} == set(range(10))
