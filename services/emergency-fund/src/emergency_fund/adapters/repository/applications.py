"""The repository's named applications queries on PostgreSQL (``service.ports.applications``)."""

from __future__ import annotations

from emergency_fund.adapters.repository.base import RepositoryBase


class SqlApplicationQueries(RepositoryBase):
    """Named queries, each one statement."""
