"""Alembic per service: one history per service, its version table in its own schema, and
autogenerate limited to that schema so one service's migration never touches another's."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from medaid_shared.tables import kernel_tables


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def create_kernel_tables(schema: str) -> None:
    """Used by each service's first migration: the kernel tables in its schema."""
    from alembic import op

    metadata = MetaData(schema=schema)
    tables = kernel_tables(metadata)
    # The parameter table came later: each service's own migration creates it
    # (medaid_shared.parameter_store.create_parameter_table), as it did before it was the kernel's.
    first = [t for t in metadata.sorted_tables if t is not tables.parameter_version]
    metadata.create_all(op.get_bind(), tables=first)


def outbox_notify_sql(schema: str) -> list[str]:
    """The outbox wakes its relay on commit: a statement-level trigger NOTIFYs
    ``<schema>_outbox`` (PostgreSQL delivers it when the transaction commits, once per
    transaction), so commands pay no extra round trip for it."""
    return [
        f"CREATE OR REPLACE FUNCTION {schema}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_notify('{schema}_outbox', ''); RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS outbox_notify ON {schema}.outbox",
        f"CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.outbox_notify()",
    ]


def upgrade_kernel_speed(schema: str) -> None:
    """Per-subject audit chains with their heads, and the outbox's commit notification.
    Entries written before keep their single chain, closed by the head row with the
    empty subject."""
    from alembic import op

    bind = op.get_bind()
    tables = kernel_tables(MetaData(schema=schema))
    tables.audit_head.create(bind, checkfirst=True)
    for index in tables.audit_log.indexes:
        index.create(bind, checkfirst=True)
    op.execute(
        f"INSERT INTO {schema}.audit_head (subject, hash, entries, last_seq) "
        f"SELECT '', (SELECT hash FROM {schema}.audit_log ORDER BY seq DESC LIMIT 1), count(*), max(seq) "
        f"FROM {schema}.audit_log HAVING count(*) > 0 ON CONFLICT DO NOTHING"
    )
    for statement in outbox_notify_sql(schema):
        op.execute(statement)


def downgrade_kernel_speed(schema: str) -> None:
    from alembic import op

    op.execute(f"DROP TRIGGER IF EXISTS outbox_notify ON {schema}.outbox")
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.outbox_notify()")
    op.execute(f"DROP INDEX IF EXISTS {schema}.ix_audit_log_subject_seq")
    op.execute(f"DROP TABLE IF EXISTS {schema}.audit_head")


def _include_name(schema: str) -> Any:
    def include(name: str | None, type_: str, parent_names: Any) -> bool:
        if type_ == "schema":
            return name == schema
        return True

    return include


def _run(connection: Connection, metadata: MetaData) -> None:
    schema = metadata.schema
    assert schema
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=_include_name(schema),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_env(metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``."""
    url = context.config.attributes.get("database_url")
    if not url:
        from os import environ

        url = environ["DATABASE_URL"]

    async def go() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as conn:
            await conn.run_sync(_run, metadata)
        await engine.dispose()

    if context.config.attributes.get("connection") is not None:
        _run(context.config.attributes["connection"], metadata)
    else:
        asyncio.run(go())


def drop_kernel_tables(schema: str) -> None:
    from alembic import op

    metadata = MetaData(schema=schema)
    kernel_tables(metadata)
    metadata.drop_all(op.get_bind())


def add_deadline_attempts(schema: str) -> None:
    """A kernel migration of every service: a deadline records its failed attempts, last
    error and next attempt time. ``IF NOT EXISTS``: a database created after this change
    already has them from the first migration."""
    from alembic import op

    op.execute(
        f'ALTER TABLE "{schema}".deadline '
        "ADD COLUMN IF NOT EXISTS attempts INTEGER NOT NULL DEFAULT 0, "
        "ADD COLUMN IF NOT EXISTS last_error TEXT, "
        "ADD COLUMN IF NOT EXISTS next_attempt_at TIMESTAMP WITH TIME ZONE"
    )


def drop_deadline_attempts(schema: str) -> None:
    from alembic import op

    op.execute(
        f'ALTER TABLE "{schema}".deadline '
        "DROP COLUMN IF EXISTS attempts, DROP COLUMN IF EXISTS last_error, DROP COLUMN IF EXISTS next_attempt_at"
    )
