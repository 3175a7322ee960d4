"""Identifiers every service mints: UUID version 7 (RFC 9562), whose first 48 bits are the
instant of minting in milliseconds.

That instant is what lets a service answer honestly when a request names something it has
not learnt yet. An admission filed at referral a moment ago is unknown to settlement until
settlement consumes the event; a random id is unknown for good. An id minted within the
propagation window is "not yet known" (409 with ``Retry-After``); any other unknown id is
"not found" (404). A forged recent-looking id gains nothing: it is still refused, only with
the answer "ask again shortly".
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from medaid_shared.errors import NotFound, NotYetKnown, Problem

PROPAGATION_WINDOW = timedelta(minutes=2)
"""How long after minting an unknown id counts as "not yet known": events cross services in
well under a second when all is well; two minutes also covers a consumer restarting or a
broker failing over, and still answers a truly unknown id with 404 soon after."""

_HEX32 = re.compile(r"([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$")


def new_uuid() -> uuid.UUID:
    """A UUIDv7: 48-bit Unix milliseconds, version, 74 random bits, variant."""
    millis = time.time_ns() // 1_000_000
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    return uuid.UUID(int=value)


def new_id(prefix: str | None = None) -> str:
    """A new id as text: the UUID, or ``<prefix>-<32 hex digits>`` where a service prefixes
    its ids by kind."""
    minted = new_uuid()
    return f"{prefix}-{minted.hex}" if prefix else str(minted)


def minted_at(value: str) -> datetime | None:
    """When an id of ours was minted, or None for anything that is not a UUIDv7 we mint."""
    match = _HEX32.search(value.lower())
    if match is None:
        return None
    parsed = uuid.UUID(match.group(1))
    if parsed.version != 7:
        return None
    return datetime.fromtimestamp((parsed.int >> 80) / 1000, tz=UTC)


def unknown(
    what: str, value: str, *, now: datetime, field: str | None = None, window: timedelta = PROPAGATION_WINDOW
) -> Problem:
    """The answer for an id this service does not hold: not yet known while it is younger
    than the propagation window, not found otherwise."""
    minted = minted_at(value)
    if minted is not None and now - window <= minted <= now + window:
        return NotYetKnown(
            f"{what} {value} is not yet known here: it was announced moments ago; ask again shortly", field=field
        )
    return NotFound(f"unknown {what} {value}", field=field)
