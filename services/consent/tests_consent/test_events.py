"""Issue 12, point 2: each event consent publishes is built from the records the use case
stored and what it decided on them in one place — one builder in ``consent.service.events``
— and every emitter calls it."""

from __future__ import annotations

import pytest

from medaid_shared.contracts import consent as contracts
from medaid_shared.testing import event_constructions


@pytest.fixture(autouse=True)
def answers_are_documented() -> None:
    """Source is read, no service is started."""


def test_each_event_is_built_by_one_builder_in_the_events_module() -> None:
    places = event_constructions("consent", contracts)
    assert {name: where for name, where in places.items() if len(where) != 1} == {}
    outside = {name: where for name, where in places.items() if not where[0].startswith("consent.service.events:")}
    assert outside == {}
