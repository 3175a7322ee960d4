"""The repository's named queries over cases, their cost items, channels, identity signals, stays, exclusions and the blacklist."""

from __future__ import annotations

from typing import Protocol


class CaseQueries(Protocol):
    """Queries beyond a record's key (each names what it answers)."""
