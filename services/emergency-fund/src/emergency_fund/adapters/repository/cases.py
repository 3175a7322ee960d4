"""The repository's named cases queries on PostgreSQL (``service.ports.cases``)."""

from __future__ import annotations

from emergency_fund.adapters.repository.base import RepositoryBase


class SqlCaseQueries(RepositoryBase):
    """Named queries, each one statement."""
