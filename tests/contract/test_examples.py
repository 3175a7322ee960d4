"""The main hospital-facing operations show a realistic request example in the committed
OpenAPI documents (a real-shaped ID number with its check digit, UUIDv7 ids, national
codes), and each example is a body the operation's own schema accepts."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from medaid_shared.crypto import is_valid_id_number

ROOT = Path(__file__).resolve().parents[2]
EXAMPLED = {
    "referral": (
        "register_person",
        "create_referral",
        "file_admission",
        "submit_filing",
        "record_fitness",
        "record_discharge",
    ),
    "emergency-fund": (
        "create_fund",
        "add_inflow",
        "put_facility",
        "open_case",
        "identify",
        "add_cost_items",
        "record_channel",
        "confirm_channel",
        "claim",
        "submit",
        "agency_review",
        "pay",
        "add",
    ),
}
CASES = [(service, op) for service, ops in EXAMPLED.items() for op in ops]


def _request_schema(doc: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for ops in doc["paths"].values():
        for op in ops.values():
            if op["operationId"] == operation_id:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                ref = schema.get("$ref", "")
                return dict(doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]) if ref else schema
    raise AssertionError(f"no operation {operation_id}")


@pytest.mark.parametrize(("service", "operation_id"), CASES, ids=[f"{s} {o}" for s, o in CASES])
def test_the_request_example_is_one_the_operation_accepts(service: str, operation_id: str) -> None:
    doc = json.loads((ROOT / "services" / service / "openapi.json").read_text())
    schema = _request_schema(doc, operation_id)
    examples = schema.get("examples")
    assert examples, f"{operation_id} shows no request example"
    validator = Draft202012Validator({**schema, "components": doc["components"]})
    for example in examples:
        errors = [e.message for e in validator.iter_errors(example)]
        assert not errors, errors
        for key, value in example.items():
            if key.endswith("_id") and "-" in value and len(value) == 36:
                assert uuid.UUID(value).version == 7, (key, value)
            if key == "id_number":
                assert is_valid_id_number(value), value
