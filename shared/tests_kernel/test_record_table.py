"""Record tables: a repository's records by key on the real PostgreSQL, and the in-memory twin
the fast tier uses answering the same way — add, add unless present, replace on a unique
key, named changes, composite keys, database-numbered keys, and an encrypted field that
rests only as ciphertext (SPEC 0.4)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import BigInteger, Column, Identity, Integer, LargeBinary, MetaData, String, Table, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from medaid_shared.crypto import ColumnCipher, EncryptedField, FieldCipher
from medaid_shared.fakes import MemoryRecords
from medaid_shared.record_table import Records, SqlRecords
from medaid_shared.settings import DEV_ENCRYPTION_KEY
from medaid_shared.testing import Infrastructure

metadata = MetaData(schema="recordtest")
note_table = Table(
    "note",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("city", String(20), nullable=False),
    Column("body_enc", LargeBinary, nullable=True),
    Column("status", String(20), nullable=False),
)
mark_table = Table(
    "mark",
    metadata,
    Column("city", String(20), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)
entry_table = Table(
    "entry",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("city", String(20), nullable=False),
)
ENCRYPTED = (EncryptedField("note", "body", "body_enc", "id"),)


@dataclass(frozen=True)
class Note:
    id: str
    city: str
    status: str
    body: str | None = None


@dataclass(frozen=True)
class Mark:
    city: str
    year: int
    n: int


@dataclass(frozen=True)
class Entry:
    city: str
    id: int | None = None


@pytest.fixture
async def session(infrastructure: Infrastructure) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(infrastructure.database_url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS recordtest CASCADE"))
        await conn.execute(text("CREATE SCHEMA recordtest"))
        await conn.run_sync(metadata.create_all)
    async with AsyncSession(engine) as s, s.begin():
        yield s
    await engine.dispose()


def sql(session: AsyncSession) -> tuple[SqlRecords[Note], SqlRecords[Mark], SqlRecords[Entry]]:
    columns = ColumnCipher(FieldCipher(DEV_ENCRYPTION_KEY), ENCRYPTED)
    return (
        SqlRecords(session, note_table, Note, columns),
        SqlRecords(session, mark_table, Mark, columns),
        SqlRecords(session, entry_table, Entry, columns),
    )


def memory() -> tuple[MemoryRecords[Note], MemoryRecords[Mark], MemoryRecords[Entry]]:
    return MemoryRecords("id"), MemoryRecords(("city", "year")), MemoryRecords("id")


async def exercise(notes: Records[Note], marks: Records[Mark], entries: Records[Entry]) -> dict[str, Any]:
    """The same calls on either implementation; what they answered."""
    await notes.add(Note("N1", "4501", "open", body="头痛 J06"))
    added_again = await notes.add_new(Note("N1", "4501", "other"))
    added_new = await notes.add_new(Note("N2", "4502", "open"))
    changed = await notes.update("N1", status="closed", body="发热")
    missing = await notes.update("N9", status="closed")
    await marks.put(Mark("4501", 2026, 1))
    await marks.put(Mark("4501", 2026, 2))
    await marks.add(Mark("4501", 2027, 5))
    await entries.add(Entry("4501"))
    await entries.add(Entry("4502"))
    return {
        "N1": await notes.get("N1"),
        "N2": await notes.get("N2"),
        "absent": await notes.get("N9"),
        "added_again": added_again,
        "added_new": added_new,
        "changed": changed,
        "missing": missing,
        "mark_2026": await marks.get(("4501", 2026)),
        "mark_2027": await marks.get(("4501", 2027), for_update=True),
        "entry_1": await entries.get(1),
        "entry_2": await entries.get(2),
    }


EXPECTED = {
    "N1": Note("N1", "4501", "closed", body="发热"),
    "N2": Note("N2", "4502", "open"),
    "absent": None,
    "added_again": False,
    "added_new": True,
    "changed": 1,
    "missing": 0,
    "mark_2026": Mark("4501", 2026, 2),
    "mark_2027": Mark("4501", 2027, 5),
    "entry_1": Entry("4501", 1),
    "entry_2": Entry("4502", 2),
}


async def test_records_on_postgresql(session: AsyncSession) -> None:
    assert await exercise(*sql(session)) == EXPECTED


async def test_the_memory_twin_answers_the_same() -> None:
    assert await exercise(*memory()) == EXPECTED


async def test_an_encrypted_field_rests_as_ciphertext(session: AsyncSession) -> None:
    """SPEC 0.4: the body is in clear for the use case and ciphertext in the table."""
    notes, _, _ = sql(session)
    await notes.add(Note("N1", "4501", "open", body="头痛 J06"))
    stored = (await session.execute(select(note_table.c.body_enc))).scalar_one()
    assert isinstance(stored, bytes) and b"J06" not in stored
    assert (await notes.get("N1")) == Note("N1", "4501", "open", body="头痛 J06")


async def test_a_key_of_the_wrong_shape_is_refused(session: AsyncSession) -> None:
    _, marks, _ = sql(session)
    with pytest.raises(ValueError, match="2 columns"):
        await marks.get("4501")
