"""The repository's named funds queries on PostgreSQL (``service.ports.funds``)."""

from __future__ import annotations

from emergency_fund.adapters.repository.base import RepositoryBase


class SqlFundQueries(RepositoryBase):
    """Named queries, each one statement."""
