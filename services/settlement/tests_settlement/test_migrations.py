"""Models and migrations agree; statements, bills and ledger entries are immutable."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from medaid_shared.testing import ServiceHarness, migration_drift
from tests_settlement.world import line, load_parameters, settled


async def test_migrations_match_tables(svc: ServiceHarness) -> None:
    """The hand-written migrations build exactly the tables the code declares."""
    assert await migration_drift(svc.runtime) == []


async def test_statements_are_immutable_in_the_database(svc: ServiceHarness) -> None:
    """SPEC §5: a statement is immutable; corrections are reversals plus new statements."""
    await load_parameters(svc)
    st = await settled(svc, [line("1000.00")])
    for sql in (
        "UPDATE settlement.statement SET total = 1 WHERE statement_id = :id",
        "DELETE FROM settlement.statement_line WHERE statement_id = :id",
        "UPDATE settlement.bill SET total = 1",
        "DELETE FROM settlement.aid_ledger_entry WHERE statement_id = :id",
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            async with svc.runtime.db.unit_of_work() as uow:
                await uow.session.execute(text(sql), {"id": st["statement_id"]})
