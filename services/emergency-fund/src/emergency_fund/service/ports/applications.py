"""The repository's named queries over applications, review steps, notices, disbursements and refunds."""

from __future__ import annotations

from typing import Protocol


class ApplicationQueries(Protocol):
    """Queries beyond a record's key (each names what it answers)."""
