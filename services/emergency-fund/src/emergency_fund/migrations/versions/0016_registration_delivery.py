"""The registration records delivered on a schedule, as files with a manifest and a cursor (GD-19).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SCHEMA = "emergency_fund"


def upgrade() -> None:
    op.create_table(
        "registration_batch",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("city", sa.String(50), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("previous_seq", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("record_ids", JSONB, nullable=False),
        sa.Column("fields", JSONB, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_enc", sa.LargeBinary, nullable=False),
        sa.Column("parameters_version", sa.String(200), nullable=False),
        sa.UniqueConstraint("city", "seq"),
        schema=SCHEMA,
    )
    op.create_table(
        "registration_delivered",
        sa.Column("city", sa.String(50), primary_key=True),
        sa.Column("case_id", sa.String(64), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("batch_seq", sa.Integer, nullable=False),
        schema=SCHEMA,
    )
    # Every existing fund's first delivery, at 02:00 Asia/Shanghai (the default time) of the
    # next day; each delivery schedules the next (the deadline is idempotent).
    op.execute(
        f"""
        INSERT INTO {SCHEMA}.deadline (id, kind, subject, due_at, basis, payload)
        SELECT gen_random_uuid(), 'fund.registration.export', f.city || ':' || d.day::text,
               (d.day::timestamp + time '02:00') AT TIME ZONE 'Asia/Shanghai', 'clock',
               jsonb_build_object('city', f.city, 'day', d.day::text)
        FROM {SCHEMA}.fund f,
             (SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date + 1) AS day) d
        ON CONFLICT (kind, subject) DO NOTHING
        """
    )


def downgrade() -> None:
    op.drop_table("registration_delivered", schema=SCHEMA)
    op.drop_table("registration_batch", schema=SCHEMA)
