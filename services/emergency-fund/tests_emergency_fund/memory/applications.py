"""The repository's named applications queries in memory (``service.ports.applications``)."""

from __future__ import annotations

from tests_emergency_fund.memory.base import MemoryRepositoryBase


class MemoryApplicationQueries(MemoryRepositoryBase):
    """Named queries, answered by filtering the records."""
