"""The one JSON answer of every service: times on the wire are RFC 3339 instants in UTC
with ``Z`` (docs/VOCABULARY.md), whoever built the answer.

Every JSON answer goes through :class:`JSONResponse` (the default response class of every
service app, the problem handlers', and the one services import), which renders the
content through :func:`on_the_wire`: a ``datetime`` becomes ``2026-12-01T08:00:00Z``, and
a string that is already an RFC 3339 date-time with an offset (``+00:00`` from
``isoformat()``, ``+08:00`` from a Shanghai time, an event payload stored before) is
written as the same instant in UTC. Shanghai wall-clock time belongs on printed pages
(HTML, PDF, CSV), never in JSON.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse as _FastAPIJSONResponse

__all__ = ["JSONResponse", "is_off_the_wire_instant", "on_the_wire", "wire_instant"]

_OFFSET_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[+-]\d{2}:\d{2}|z)")


def wire_instant(value: datetime) -> str:
    """``value`` as an RFC 3339 instant in UTC with ``Z``. A naive datetime is read as UTC
    (the services' clock and columns are UTC)."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


def is_off_the_wire_instant(text: str) -> bool:
    """Whether ``text`` is a date-time with an offset other than ``Z`` (``+00:00``, ``+08:00``)."""
    return _OFFSET_INSTANT.fullmatch(text) is not None


def on_the_wire(content: Any) -> Any:
    """``content`` with every instant in it in the wire form (see the module)."""
    if isinstance(content, str):
        if is_off_the_wire_instant(content):
            return wire_instant(datetime.fromisoformat(content.upper()))
        return content
    if isinstance(content, dict):
        return {key: on_the_wire(value) for key, value in content.items()}
    if isinstance(content, list | tuple):
        return [on_the_wire(value) for value in content]
    if isinstance(content, datetime):
        return wire_instant(content)
    return content


class JSONResponse(_FastAPIJSONResponse):
    """A JSON answer with its times in the wire form."""

    def render(self, content: Any) -> bytes:
        """The JSON bytes of ``content``, its instants in UTC with ``Z``."""
        return super().render(on_the_wire(content))
