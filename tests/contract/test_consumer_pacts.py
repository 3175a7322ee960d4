"""Consumer-driven contracts: what each consumer's code reads from each event it consumes
(derived from the code, committed in shared/schemas/pacts.json) must be provided by the
producer's committed schema. Real published payloads are checked against the same pacts
in the journeys (tests/journeys/test_zz_published_events.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medaid_shared.events import REGISTRY
from medaid_shared.pacts import PACTS, derive
from medaid_shared.schemas import schema_path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED: dict[str, dict[str, list[str]]] = json.loads((ROOT / PACTS).read_text())
PAIRS = [
    (consumer, event_type, paths) for consumer, events in COMMITTED.items() for event_type, paths in events.items()
]


def schema_has(schema: dict[str, Any], path: str) -> bool:
    node: dict[str, Any] = schema
    for part in path.split("."):
        node = resolve(schema, node)
        props = node.get("properties")
        if props is None:
            options = [resolve(schema, o) for o in node.get("anyOf", [])]
            props = next((o["properties"] for o in options if "properties" in o), None)
        if props is None or part not in props:
            return False
        node = props[part]
    return True


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    return resolve(schema, schema["$defs"][ref.split("/")[-1]]) if ref.startswith("#/$defs/") else node


def test_pacts_are_current_with_the_consumers_code() -> None:
    """Regenerate with `.venv/bin/medaid contracts` after changing a consumer."""
    assert derive() == COMMITTED


def test_every_consumer_relies_on_something() -> None:
    assert PAIRS, "no consumer pacts"
    for consumer, event_type, paths in PAIRS:
        assert paths, f"{consumer} consumes {event_type} but reads no field of it"


@pytest.mark.parametrize(
    ("consumer", "event_type", "paths"), PAIRS, ids=[f"{c}<-{e.rsplit('.', 1)[-1]}" for c, e, _ in PAIRS]
)
def test_producer_schema_provides_what_the_consumer_reads(consumer: str, event_type: str, paths: list[str]) -> None:
    schema = json.loads((ROOT / schema_path(REGISTRY[event_type])).read_text())
    missing = [p for p in paths if not schema_has(schema, p)]
    assert missing == [], f"{event_type} no longer provides {missing}, which {consumer} reads"


def test_a_producer_dropping_a_field_a_consumer_reads_is_caught() -> None:
    _consumer, event_type, paths = PAIRS[0]
    schema = json.loads((ROOT / schema_path(REGISTRY[event_type])).read_text())
    del schema["properties"][paths[0].split(".")[0]]
    assert not schema_has(schema, paths[0])
