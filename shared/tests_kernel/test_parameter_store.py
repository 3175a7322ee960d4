"""SPEC 0.5: a decision applies the version in force. The store keeps the versions it parsed
(per table, checked against a digest of the table at each session's first lookup): a load,
a row changed outside a load and a table emptied must each be applied at the next lookup."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from medaid_shared.authz import Principal, Role
from medaid_shared.idempotency import KERNEL_PARAMETERS, kernel_parameter_defaults
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.testing import Infrastructure

from .conftest import build

DAY = date(2027, 3, 1)
ADMIN = Principal("ops", Role.ADMIN)


async def test_every_load_and_every_change_of_the_table_is_applied_at_the_next_lookup(
    infrastructure: Infrastructure, kernel_schema: None
) -> None:
    rt = build(infrastructure)
    table = rt.db.tables.parameter_version
    catalogue = KERNEL_PARAMETERS.with_defaults(kernel_parameter_defaults(rt.settings))
    version = catalogue.version_model

    async def attempts(on: date = DAY) -> int:
        async with rt.db.read() as session:
            applied = await ParameterStore(session, table, catalogue).applied("consumer_attempts", on=on)
            return int(applied.values.max_attempts)

    async def load(max_attempts: int, effective_from: date, effective_to: date | None = None) -> None:
        async with rt.db.unit_of_work() as uow:
            store = ParameterStore(uow.session, table, catalogue)
            values = {"max_attempts": max_attempts}
            stored = version(
                kind="consumer_attempts", effective_from=effective_from, effective_to=effective_to, values=values
            )
            await store.load(uow, ADMIN, [stored])

    async def sql(statement: str) -> None:
        async with rt.db.engine.begin() as conn:
            await conn.execute(text(statement))

    try:
        await sql("TRUNCATE kerneltest.parameter_version")
        default = await attempts()
        await load(2, date(2027, 1, 1), date(2027, 1, 31))
        assert await attempts(date(2027, 1, 15)) == 2 and await attempts() == default
        await load(3, date(2027, 2, 1))  # a later version of the same kind
        assert await attempts() == 3
        # Rows emptied and filled again with the same ids, other values (as a restore would).
        await sql("UPDATE kerneltest.parameter_version SET values = '{\"max_attempts\": 6}'::jsonb")
        assert await attempts() == 6
        await sql("TRUNCATE kerneltest.parameter_version")
        assert await attempts() == default

        # One session: what it loads, its next lookup applies.
        async with rt.db.unit_of_work() as uow:
            store = ParameterStore(uow.session, table, catalogue)
            assert (await store.applied("consumer_attempts", on=DAY)).values.max_attempts == default
            await store.load(
                uow, ADMIN, [version(kind="consumer_attempts", effective_from=DAY, values={"max_attempts": 5})]
            )
            assert (await store.applied("consumer_attempts", on=DAY)).values.max_attempts == 5
        assert await attempts() == 5
    finally:
        await sql("TRUNCATE kerneltest.parameter_version")
        await rt.db.dispose()
