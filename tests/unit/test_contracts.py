"""The JSON Schemas in docs/contracts/ are generated from common.messages and must be current."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from common import contracts
from common.messages import CONTRACTS

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "contracts"


def test_generated_schemas_are_current() -> None:
    assert contracts.stale(CONTRACTS_DIR) == [], "run: cd functions && python -m common.contracts"


def test_check_reports_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert contracts.main(["--dir", str(tmp_path)]) == 0
    (tmp_path / "VideoCandidate.schema.json").write_text("{}\n")
    (tmp_path / "Removed.schema.json").write_text("{}\n")
    assert contracts.main(["--check", "--dir", str(tmp_path)]) == 1
    assert "Removed.schema.json, VideoCandidate.schema.json" in capsys.readouterr().err
    assert contracts.main(["--dir", str(tmp_path)]) == 0
    assert contracts.stale(tmp_path) == []


@pytest.mark.parametrize("model", CONTRACTS, ids=lambda m: m.__name__)
def test_schema_is_valid_and_strict(model: type) -> None:
    schema = json.loads((CONTRACTS_DIR / f"{model.__name__}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert {"schemaVersion", "requestId"} <= set(schema["properties"])


def test_schema_agrees_with_the_model_on_a_message() -> None:
    schema = json.loads((CONTRACTS_DIR / "StruggleCandidate.schema.json").read_text())
    message = {
        "requestId": "struggle:e",
        "sourceEventIds": ["e"],
        "userId": "u",
        "sessionId": "s",
        "featureId": "f",
        "eventType": "form_error",
        "detectedAt": 1,
    }
    jsonschema.validate(message, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(message | {"attemptCount": 0}, schema)
