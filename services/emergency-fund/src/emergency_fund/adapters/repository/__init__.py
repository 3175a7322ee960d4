"""The fund's repository (``service.ports.Repository``) on PostgreSQL, with SQLAlchemy Core:
its records by key (``base``) and its named queries per area."""

from __future__ import annotations

from emergency_fund.adapters.repository.applications import SqlApplicationQueries
from emergency_fund.adapters.repository.cases import SqlCaseQueries
from emergency_fund.adapters.repository.funds import SqlFundQueries


class SqlRepository(SqlCaseQueries, SqlApplicationQueries, SqlFundQueries):
    """One repository per unit of work (or read session)."""


__all__ = ["SqlRepository"]
