"""LJ-11.1 / LJ-13.1 / SPEC 0.5: a flag a settlement raises stands on the statement that raised
it. The statement's reversal withdraws it (when, by which reversal, why); the re-issued statement
raises again what still holds. One standing flag per kind, subject and quarter; withdrawn flags
stay beside it for the record.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCHEMA = "settlement"


def upgrade() -> None:
    op.add_column("cost_flag", sa.Column("statement_id", sa.String(length=100), nullable=True), schema=SCHEMA)
    op.add_column("cost_flag", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    op.add_column(
        "cost_flag", sa.Column("withdrawn_by_statement_id", sa.String(length=100), nullable=True), schema=SCHEMA
    )
    op.add_column("cost_flag", sa.Column("withdrawn_reason", sa.Text(), nullable=True), schema=SCHEMA)
    # the flags settlement raised so far name their admission's standing statement
    op.execute(
        f"""UPDATE {SCHEMA}.cost_flag f SET statement_id = s.statement_id
            FROM {SCHEMA}.statement s
            WHERE f.kind IN ('platform_difference', 'unconsented_treatment')
              AND s.admission_id = f.admission_id AND s.kind = 'settlement'
              AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.statement r WHERE r.reverses_statement_id = s.statement_id)"""
    )
    op.drop_constraint("cost_flag_kind_subject_period_key", "cost_flag", schema=SCHEMA, type_="unique")
    op.create_index("ix_cost_flag_statement", "cost_flag", ["statement_id"], schema=SCHEMA)
    op.create_index(
        "uq_cost_flag_standing",
        "cost_flag",
        ["kind", "subject", "period"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )


def downgrade() -> None:
    op.execute(f"DELETE FROM {SCHEMA}.cost_flag WHERE withdrawn_at IS NOT NULL")
    op.drop_index("uq_cost_flag_standing", "cost_flag", schema=SCHEMA)
    op.drop_index("ix_cost_flag_statement", "cost_flag", schema=SCHEMA)
    op.create_unique_constraint(
        "cost_flag_kind_subject_period_key", "cost_flag", ["kind", "subject", "period"], schema=SCHEMA
    )
    for column in ("withdrawn_reason", "withdrawn_by_statement_id", "withdrawn_at", "statement_id"):
        op.drop_column("cost_flag", column, schema=SCHEMA)
