"""Issue 12, point 2: each event settlement publishes is built from the stored statement,
flag, application or catalogue entry and the engine's result in one place — one builder in
``settlement.service.events`` — and every emitter calls it."""

from __future__ import annotations

from medaid_shared.contracts import settlement as contracts
from medaid_shared.testing import event_constructions


def test_each_event_is_built_by_one_builder_in_the_events_module() -> None:
    places = event_constructions("settlement", contracts)
    assert {name: where for name, where in places.items() if len(where) != 1} == {}
    outside = {name: where for name, where in places.items() if not where[0].startswith("settlement.service.events:")}
    assert outside == {}
