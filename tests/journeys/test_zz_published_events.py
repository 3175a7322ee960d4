"""Runs after the journeys: every event the services' real code published during them
matches its committed JSON Schema and carries every field its consumers read (pacts)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from medaid_shared.events import REGISTRY
from medaid_shared.pacts import PACTS, missing_in_payload
from medaid_shared.schemas import schema_path

from .conftest import Stack

ROOT = Path(__file__).resolve().parents[2]


def test_published_events_match_schemas_and_consumer_pacts(stack: Stack) -> None:
    pacts = json.loads((ROOT / PACTS).read_text())
    assert stack.events, "the journeys published nothing"
    checked: set[str] = set()
    for event in stack.events:
        model = REGISTRY[event["type"]]
        schema = json.loads((ROOT / schema_path(model)).read_text())
        jsonschema.validate(event["data"], schema)
        for consumer, events in pacts.items():
            missing = [p for p in events.get(event["type"], []) if missing_in_payload(event["data"], p)]
            assert missing == [], f"{event['type']} published without {missing}, which {consumer} reads"
        checked.add(event["type"])
    assert len(checked) >= 3
