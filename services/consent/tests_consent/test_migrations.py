"""The hand-written migrations create exactly the tables the code declares."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from medaid_shared.testing import ServiceHarness


async def test_migrations_match_tables(svc: ServiceHarness) -> None:
    def diff(conn):  # type: ignore[no-untyped-def]
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": True,
                "include_name": lambda n, t, p: (
                    (t != "schema" or n == svc.runtime.settings.db_schema)
                    and not (t == "table" and n == "alembic_version")
                ),
            },
        )
        return compare_metadata(ctx, svc.runtime.db.metadata)

    async with svc.runtime.db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_consent_rows_are_immutable_in_the_database(svc: ServiceHarness) -> None:
    """LJ-11.1: a stored consent cannot be updated or deleted, not even by SQL."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    async with svc.runtime.db.unit_of_work() as uow:
        await uow.session.execute(
            text(
                "INSERT INTO consent.consent (consent_id, admission_id, person_id, treatment_id, decision, signer_id,"
                " signer_role, signer_rank, signer_holder, skipped_ranks, filed_with_civil_affairs, signed_at)"
                " VALUES ('c1','A1','P1','T1','routine','P1','patient',1,'person','[]',false, now())"
            )
        )
    for statement in ("UPDATE consent.consent SET signer_id = 'x'", "DELETE FROM consent.consent"):
        with pytest.raises(DBAPIError, match="immutable"):
            async with svc.runtime.db.unit_of_work() as uow:
                await uow.session.execute(text(statement))
