"""LJ-13.1 / SPEC 0.5: a posted national one-stop result can be corrected (a new revision of the
same ``setl_id``) or reversed on the platform. Every revision is kept as it was posted; the one
in force is the one not superseded, and a reversed one is no fact to settle on.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SCHEMA = "settlement"


def upgrade() -> None:
    table = "platform_settlement"
    op.add_column(table, sa.Column("revision", sa.Integer(), nullable=False, server_default="1"), schema=SCHEMA)
    op.add_column(table, sa.Column("reason", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column(table, sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column(table, sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column(table, sa.Column("reversal_reason", sa.Text(), nullable=True), schema=SCHEMA)
    op.drop_constraint("platform_settlement_setl_id_key", table, schema=SCHEMA, type_="unique")
    op.drop_constraint("platform_settlement_pkey", table, schema=SCHEMA, type_="primary")
    op.create_primary_key("platform_settlement_pkey", table, ["admission_id", "revision"], schema=SCHEMA)
    op.create_index("ix_platform_settlement_setl_id", table, ["setl_id"], schema=SCHEMA)
    op.create_index(
        "uq_platform_settlement_current",
        table,
        ["admission_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("superseded_at IS NULL"),
    )


def downgrade() -> None:
    table = "platform_settlement"
    op.execute(f"DELETE FROM {SCHEMA}.{table} WHERE superseded_at IS NOT NULL")
    op.drop_index("uq_platform_settlement_current", table, schema=SCHEMA)
    op.drop_index("ix_platform_settlement_setl_id", table, schema=SCHEMA)
    op.drop_constraint("platform_settlement_pkey", table, schema=SCHEMA, type_="primary")
    op.create_primary_key("platform_settlement_pkey", table, ["admission_id"], schema=SCHEMA)
    op.create_unique_constraint("platform_settlement_setl_id_key", table, ["setl_id"], schema=SCHEMA)
    for column in ("reversal_reason", "reversed_at", "superseded_at", "reason", "revision"):
        op.drop_column(table, column, schema=SCHEMA)
