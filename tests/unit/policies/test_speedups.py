"""The cached JSONPath parser gives exactly what bc_jsonpath_ng's own parser gives."""

from __future__ import annotations

import pytest
from bc_jsonpath_ng import parser as jsonpath_parser
from bc_jsonpath_ng.ext import parse

from policies import speedups

PATHS = ["resource[0].aws_s3_bucket.this.tags", "statement[1].actions[0]", "a.b[*].c", "$..kms_key_id", "rule[?(@.enabled == true)].id"]
DATA = {
    "resource": [{"aws_s3_bucket": {"this": {"tags": {"Project": "uja"}}}}],
    "statement": [{"actions": ["s3:GetObject"]}, {"actions": ["kms:Decrypt"]}],
    "a": {"b": [{"c": 1}, {"c": 2}]},
    "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/x",
    "rule": [{"enabled": True, "id": "r1"}, {"enabled": False, "id": "r2"}],
}


def _results(path: str) -> tuple[str, list[object]]:
    compiled = parse(path)
    return str(compiled), [m.value for m in compiled.find(DATA)]


@pytest.mark.parametrize("path", PATHS)
def test_cached_parser_matches_the_original(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    speedups.install()
    cached = _results(path)
    monkeypatch.setattr(jsonpath_parser.JsonPathParser, "parse_token_stream", speedups.original_parse_token_stream())
    assert cached == _results(path)
    assert cached[1], f"{path} should match something in the sample"
