"""Issue 12, point 2: each event identity-check publishes is built from the letter and what
was decided on it in one place — one builder in ``identity_check.service.events`` — and
every emitter calls it."""

from __future__ import annotations

from medaid_shared.contracts import identity_check as contracts
from medaid_shared.testing import event_constructions


def test_each_event_is_built_by_one_builder_in_the_events_module() -> None:
    places = event_constructions("identity_check", contracts)
    assert {name: where for name, where in places.items() if len(where) != 1} == {}
    outside = {
        name: where for name, where in places.items() if not where[0].startswith("identity_check.service.events:")
    }
    assert outside == {}
