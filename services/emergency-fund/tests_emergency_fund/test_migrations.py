"""The models and the hand-written migrations agree."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from medaid_shared.testing import ServiceHarness


async def test_migrations_match_tables(svc: ServiceHarness) -> None:
    def diff(conn):  # type: ignore[no-untyped-def]
        ctx = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": True,
                # alembic's own version table lives in the schema but is not a model
                "include_name": lambda n, t, p: (
                    (t != "schema" or n == svc.runtime.settings.db_schema)
                    and not (t == "table" and n == "alembic_version")
                ),
            },
        )
        return compare_metadata(ctx, svc.runtime.db.metadata)

    async with svc.runtime.db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []
