"""Committed event schemas, AsyncAPI and OpenAPI documents are current, and a schema change
that would break an existing consumer fails here (an additive change passes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from medaid_shared.schemas import (
    ASYNCAPI,
    all_event_models,
    asyncapi_document,
    breaking_changes,
    dump,
    event_schema,
    openapi_document,
    openapi_path,
    schema_path,
)
from medaid_shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "regenerate with `.venv/bin/medaid contracts`"


@pytest.mark.parametrize("model", all_event_models(), ids=lambda m: m.event_type)
def test_event_schema_is_committed_compatible_and_current(model: type) -> None:
    committed_file = ROOT / schema_path(model)
    assert committed_file.exists(), f"no committed schema for {model.event_type}: {REGENERATE}"
    committed = json.loads(committed_file.read_text())
    current = event_schema(model)
    assert breaking_changes(committed, current) == [], "breaking change: bump schema_version"
    assert committed_file.read_text() == dump(current), f"stale schema: {REGENERATE}"


def test_every_committed_schema_still_has_its_model() -> None:
    """Deleting an event type would strand its consumers."""
    current = {ROOT / schema_path(m) for m in all_event_models()}
    committed = set((ROOT / "shared/schemas/events").glob("*.json"))
    assert committed <= current


def test_asyncapi_document_is_current_and_lists_every_event() -> None:
    committed = yaml.safe_load((ROOT / ASYNCAPI).read_text())
    assert committed == asyncapi_document(), REGENERATE
    assert committed["asyncapi"].startswith("3.")
    messages = set(committed["components"]["messages"])
    assert {m.event_type.rsplit(".", 1)[-1] for m in all_event_models()} == messages
    for channel in committed["channels"].values():
        assert channel["address"].startswith("medaid.") and channel["address"].endswith(".v1")


@pytest.mark.parametrize("service", list(SERVICES))
def test_openapi_document_is_current(service: str) -> None:
    committed = json.loads((ROOT / openapi_path(service)).read_text())
    assert committed == json.loads(dump(openapi_document(service))), REGENERATE


BASE = {
    "type": "object",
    "properties": {
        "admission_id": {"type": "string"},
        "amount": {"anyOf": [{"type": "number"}, {"type": "string"}]},
        "nested": {"$ref": "#/$defs/Nested"},
    },
    "required": ["admission_id", "amount"],
    "$defs": {"Nested": {"type": "object", "properties": {"rank": {"type": "integer"}}}},
}


def test_compatibility_check_accepts_additive_changes() -> None:
    added = json.loads(json.dumps(BASE))
    added["properties"]["note"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert breaking_changes(BASE, added) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].pop("amount"), "amount: removed"),
        (lambda s: s["properties"].__setitem__("admission_id", {"type": "integer"}), "admission_id: type"),
        (
            lambda s: s["properties"].__setitem__("admission_id", {"anyOf": [{"type": "string"}, {"type": "null"}]}),
            "admission_id: may now be null",
        ),
        (
            lambda s: (s["properties"].__setitem__("x", {"type": "string"}), s["required"].append("x")),
            "x: new required field",
        ),
        (lambda s: s["$defs"]["Nested"]["properties"].pop("rank"), "nested.rank: removed"),
    ],
)
def test_compatibility_check_rejects_breaking_changes(change: object, expected: str) -> None:
    broken = json.loads(json.dumps(BASE))
    change(broken)  # type: ignore[operator]
    assert any(p.startswith(expected) for p in breaking_changes(BASE, broken))
