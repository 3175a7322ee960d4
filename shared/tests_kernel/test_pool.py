"""Pooled connections: one handed out again soon after its last use goes without a ping
(a round trip saved on every command); one idle longer is pinged first, so a connection
the database dropped meanwhile (a restart, a network cut) is replaced before a command
sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from medaid_shared import db as db_module
from medaid_shared.db import Database
from medaid_shared.testing import Infrastructure

from .conftest import build


@pytest.fixture
async def db(infrastructure: Infrastructure) -> AsyncIterator[Database]:
    rt = build(infrastructure)
    yield rt.db
    await rt.db.dispose()


async def _backend(db: Database) -> int:
    async with db.read() as s:
        return int((await s.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _drop(db: Database, pid: int) -> None:
    """The database ends the session, as a restart would, behind the pool's back."""
    other = Database(db.settings, db.metadata)
    try:
        async with other.engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_a_connection_idle_past_the_limit_is_pinged_and_a_dropped_one_replaced(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "IDLE_BEFORE_PING_S", 0.0)
    first = await _backend(db)
    await _drop(db, first)
    assert await _backend(db) != first  # pinged at checkout, found dead, replaced: no error


async def test_a_connection_used_just_before_is_not_pinged(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "IDLE_BEFORE_PING_S", 3600.0)
    pings = 0
    first = await _backend(db)
    async with db.read() as s:
        raw = (await (await s.connection()).get_raw_connection()).dbapi_connection
    ping = type(raw).ping

    def counted(self: object) -> None:
        nonlocal pings
        pings += 1
        ping(self)

    monkeypatch.setattr(type(raw), "ping", counted)
    assert await _backend(db) == first
    assert pings == 0
    # Dropped within the window, the command fails as a disconnect and the pool lets the
    # connection go: the next command gets a fresh one.
    await _drop(db, first)
    with pytest.raises(DBAPIError):
        await _backend(db)
    assert await _backend(db) != first
