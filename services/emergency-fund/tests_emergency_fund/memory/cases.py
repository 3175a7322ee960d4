"""The repository's named cases queries in memory (``service.ports.cases``)."""

from __future__ import annotations

from tests_emergency_fund.memory.base import MemoryRepositoryBase


class MemoryCaseQueries(MemoryRepositoryBase):
    """Named queries, answered by filtering the records."""
