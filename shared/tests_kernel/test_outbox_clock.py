"""The outbox relay and the service clock (SPEC 0.1: ``clock.now()`` is the only time)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from medaid_shared import clock

from .conftest import emit_items


async def test_event_emitted_while_the_service_clock_is_behind_the_database_is_published(runtime: Any) -> None:
    """An outbox row is due at the service clock's instant, not the database server's: a
    service whose clock runs behind the database (host clock skew, or a test clock moved to
    an earlier date) still publishes its events at once instead of holding them back."""
    clock.set_offset(timedelta(days=-60))
    try:
        await emit_items(runtime, ("behind", 1))
        assert await runtime.relay.publish_batch() == 1
    finally:
        clock.set_offset(timedelta(0))
