"""What the Bedrock action-group schemas promise, checked against what a handler answered.

The schema files under terraform/modules/agent/schemas describe each response loosely, as Bedrock
wants them; here every object of a response schema is made exact (each property required, no
other property allowed) and the handler's body is validated against it with the OpenAPI 3.0
validator (``nullable`` included). A field the handler adds, drops, renames or retypes fails.
"""

from __future__ import annotations

from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator

from journey_guard.paths import TERRAFORM_DIR

SCHEMA_DIR = TERRAFORM_DIR / "modules" / "agent" / "schemas"


def exact(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every object's properties required and nothing else allowed, recursively."""
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {name: exact(sub) for name, sub in out["properties"].items()}
        out["required"] = sorted(out["properties"])
        out["additionalProperties"] = False
    if "items" in out:
        out["items"] = exact(out["items"])
    return out


def response_schema(group: str, api_path: str, status: int) -> dict[str, Any]:
    doc = yaml.safe_load((SCHEMA_DIR / f"{group}.yaml").read_text())
    response = doc["paths"][api_path]["post"]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return exact(schema)


def problems(group: str, api_path: str, status: int, body: object) -> list[str]:
    """Where ``body`` departs from the schema's response for ``status`` (empty when it matches)."""
    validator = OAS30Validator(response_schema(group, api_path, status))
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in validator.iter_errors(body))
