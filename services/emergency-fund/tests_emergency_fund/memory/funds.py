"""The repository's named funds queries in memory (``service.ports.funds``)."""

from __future__ import annotations

from tests_emergency_fund.memory.base import MemoryRepositoryBase


class MemoryFundQueries(MemoryRepositoryBase):
    """Named queries, answered by filtering the records."""
