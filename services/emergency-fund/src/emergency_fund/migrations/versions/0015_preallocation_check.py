"""The year-end check of the pre-allocation minimum, one per city and year (GD-7).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.create_table(
        "preallocation_check",
        sa.Column("city", sa.String(50), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("upper_level_transfers", sa.Numeric(14, 2), nullable=False),
        sa.Column("min_share", sa.Numeric(5, 4), nullable=False),
        sa.Column("required_minimum", sa.Numeric(14, 2), nullable=False),
        sa.Column("preallocated", sa.Numeric(14, 2), nullable=False),
        sa.Column("shortfall", sa.Numeric(14, 2), nullable=False),
        sa.Column("compliant", sa.Boolean, nullable=False),
        sa.Column("parameters_version", sa.String(200), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    # Every existing fund's check of the current year, at the end of 31 December (the
    # default check day); a later booking schedules the same deadline (idempotent).
    op.execute(
        f"""
        INSERT INTO {SCHEMA}.deadline (id, kind, subject, due_at, basis, payload)
        SELECT gen_random_uuid(), 'fund.preallocation.check', f.city || ':' || y.year,
               make_timestamptz(y.year + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai'), 'clock',
               jsonb_build_object('city', f.city, 'year', y.year)
        FROM {SCHEMA}.fund f,
             (SELECT extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')::int AS year) y
        ON CONFLICT (kind, subject) DO NOTHING
        """
    )


def downgrade() -> None:
    op.drop_table("preallocation_check", schema=SCHEMA)
