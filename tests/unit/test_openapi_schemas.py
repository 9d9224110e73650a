"""The Bedrock agent's action-group schemas (terraform/modules/agent/schemas).

Bedrock takes OpenAPI 3.0.0, needs an operationId and a response schema on every operation and
rejects `enum` (allowed values live in descriptions; the handlers enforce them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from journey_guard.paths import TERRAFORM_DIR

AGENT_MODULE = TERRAFORM_DIR / "modules" / "agent"
SCHEMA_DIR = AGENT_MODULE / "schemas"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# Action group -> (path, method, required request fields): system spec, section 3, Bedrock agent.
ACTION_GROUPS = {
    "struggle-detection": ("/analyze-struggle", "post", {"userId"}),
    "video-intelligence": ("/analyze-video", "post", {"userId"}),
    "intervention-engine": ("/execute-intervention", "post", {"userId", "interventionType"}),
}


def load(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise AssertionError(f"{path.name}: not valid YAML: {exc}") from exc
    assert isinstance(doc, dict), f"{path.name}: top level must be a mapping"
    return doc


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in (doc.get("paths") or {}).items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def enum_locations(node: Any, where: str = "") -> list[str]:
    """Every place an `enum` key appears, as a JSON-pointer-like path."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}/{key}"
            if key == "enum":
                found.append(here)
            found.extend(enum_locations(value, here))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(enum_locations(value, f"{where}/{i}"))
    return found


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def operation_problems(doc: dict[str, Any]) -> list[str]:
    """What Bedrock would refuse: operations without an operationId or without a response schema."""
    problems: list[str] = []
    for path, method, op in operations(doc):
        name = f"{method.upper()} {path}"
        if not op.get("operationId"):
            problems.append(f"{name}: no operationId")
        responses = op.get("responses") or {}
        if not responses:
            problems.append(f"{name}: no responses")
        for status, response in responses.items():
            schema = (resolve(doc, response).get("content") or {}).get("application/json", {}).get("schema")
            if not schema:
                problems.append(f"{name}: response {status} has no application/json schema")
    return problems


def schema_files() -> list[Path]:
    return sorted(SCHEMA_DIR.glob("*.yaml")) + sorted(SCHEMA_DIR.glob("*.json"))


def test_exactly_the_three_action_groups_have_schemas() -> None:
    assert sorted(p.stem for p in schema_files()) == sorted(ACTION_GROUPS)


@pytest.mark.spec("agent-schemas-openapi-3-0-0")
@pytest.mark.parametrize("group", sorted(ACTION_GROUPS))
def test_schema_is_valid_openapi_3_0_0(group: str) -> None:
    path = SCHEMA_DIR / f"{group}.yaml"
    doc = load(path)
    assert doc.get("openapi") == "3.0.0", f"{path.name}: openapi must be 3.0.0, not {doc.get('openapi')!r}"
    try:
        validate(doc, cls=OpenAPIV30SpecValidator)
    except OpenAPIValidationError as exc:
        pytest.fail(f"{path.name}: not valid OpenAPI 3.0: {exc.message}")


@pytest.mark.spec("agent-operation-id-and-response")
@pytest.mark.parametrize("group", sorted(ACTION_GROUPS))
def test_every_operation_has_an_operation_id_and_response_schemas(group: str) -> None:
    doc = load(SCHEMA_DIR / f"{group}.yaml")
    assert list(operations(doc)), f"{group}.yaml: no operations"
    assert operation_problems(doc) == []


@pytest.mark.spec("agent-schemas-openapi-3-0-0")
@pytest.mark.parametrize("group", sorted(ACTION_GROUPS))
def test_no_enum_anywhere(group: str) -> None:
    assert enum_locations(load(SCHEMA_DIR / f"{group}.yaml")) == []


@pytest.mark.spec("agent-struggle-detection-op", "agent-video-intelligence-op", "agent-intervention-engine-op")
@pytest.mark.parametrize("group", sorted(ACTION_GROUPS))
def test_schema_has_the_specified_operation_and_required_fields(group: str) -> None:
    path, method, required = ACTION_GROUPS[group]
    doc = load(SCHEMA_DIR / f"{group}.yaml")
    assert [(p, m) for p, m, _ in operations(doc)] == [(path, method)]
    op = doc["paths"][path][method]
    body = resolve(doc, op["requestBody"]["content"]["application/json"]["schema"])
    assert set(body.get("required", [])) == required
    assert required <= set(body["properties"])


@pytest.mark.spec("agent-priority-values")
def test_priority_values_are_described_not_enumerated() -> None:
    doc = load(SCHEMA_DIR / "intervention-engine.yaml")
    body = doc["paths"]["/execute-intervention"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    description = body["properties"]["priority"]["description"]
    assert all(word in description for word in ("low", "normal", "high", "critical"))


def test_operation_ids_are_unique_across_action_groups() -> None:
    ids = [op["operationId"] for group in ACTION_GROUPS for _, _, op in operations(load(SCHEMA_DIR / f"{group}.yaml"))]
    assert len(ids) == len(set(ids)), ids


def test_agent_module_loads_each_schema_for_its_action_group() -> None:
    main_tf = (AGENT_MODULE / "main.tf").read_text()
    assert 'file("${path.module}/schemas/${each.key}.yaml")' in main_tf
    declared = set(re.findall(r"^\s{4}([a-z-]+) = \{\n\s+executor", main_tf, flags=re.MULTILINE))
    assert declared == set(ACTION_GROUPS)


# The checks above must be able to fail: feed them documents that break each rule.
def test_enum_locations_finds_nested_enums() -> None:
    doc = {"components": {"schemas": {"A": {"properties": {"p": {"type": "string", "enum": ["x"]}}}}}}
    assert enum_locations(doc) == ["/components/schemas/A/properties/p/enum"]


def test_operation_problems_names_missing_operation_id_and_response_schema() -> None:
    doc = {
        "paths": {
            "/x": {
                "post": {
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "400": {"description": "bad"},
                    }
                }
            }
        }
    }
    assert operation_problems(doc) == ["POST /x: no operationId", "POST /x: response 400 has no application/json schema"]


def test_validator_rejects_a_broken_document() -> None:
    with pytest.raises(OpenAPIValidationError):
        validate({"openapi": "3.0.0", "info": {"title": "t"}, "paths": {}}, cls=OpenAPIV30SpecValidator)
