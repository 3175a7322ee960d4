"""The fund's one storage port (issue 12, point 2): the PostgreSQL repository and the
in-memory one the fast tier runs on implement the same named queries and the same record
tables as ``service.ports.Repository``, so a use case decided in memory is the one the HTTP
tests run on real infrastructure — and no string-keyed gateway is left beside them."""

from __future__ import annotations

import inspect

from emergency_fund.adapters.repository import SqlRepository
from emergency_fund.service.ports import Repository
from medaid_shared.crypto import FieldCipher
from medaid_shared.fakes import MemoryRecords
from medaid_shared.record_table import SqlRecords
from medaid_shared.settings import DEV_ENCRYPTION_KEY

from .memory import MemoryRepository


def _members(kind: type) -> tuple[set[str], set[str]]:
    """The named queries (methods) and the record tables (properties) a class declares."""
    queries, tables = set(), set()
    for klass in inspect.getmro(kind):
        for name, member in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(member, property):
                tables.add(name)
            elif callable(member):
                queries.add(name)
    return queries, tables


def test_both_repositories_answer_the_ports_queries() -> None:
    port_queries, port_tables = _members(Repository)
    assert port_queries, "the port names its queries"
    assert _members(SqlRepository)[0] >= port_queries
    assert _members(MemoryRepository)[0] >= port_queries
    # and no query beyond the port's (a use case could not call it through the port)
    assert {q for q in _members(SqlRepository)[0] if not q.startswith("_")} <= port_queries
    assert len(port_tables) == 31


def test_both_repositories_hold_every_record_table() -> None:
    _, port_tables = _members(Repository)
    sql = SqlRepository(None, FieldCipher(DEV_ENCRYPTION_KEY))  # type: ignore[arg-type]
    memory = MemoryRepository()
    for name in port_tables:
        assert isinstance(getattr(sql, name), SqlRecords), name
        assert isinstance(getattr(memory, name), MemoryRecords), name


def test_no_string_keyed_store_is_left() -> None:
    for gone in ("one", "many", "insert", "insert_ignore", "upsert", "update", "page"):
        assert not hasattr(SqlRepository, gone), gone
        assert gone not in _members(Repository)[0], gone
