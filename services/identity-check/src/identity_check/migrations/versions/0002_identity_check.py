"""Identity-check requests, attachments (encrypted photos), findings, facility read model.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "identity_check"


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "facility",
        sa.Column("facility_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("police_jurisdiction", sa.String(64), nullable=True),
        sa.Column("city", sa.String(64), nullable=False),
        sa.Column("source_time", ts, nullable=True),
        sa.Column("updated_at", ts, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "reference_counter",
        sa.Column("facility_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_value", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("facility_id", "year"),
        schema=SCHEMA,
    )
    op.create_table(
        "check_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("reference_number", sa.String(100), nullable=False, unique=True),
        sa.Column("facility_id", sa.String(64), nullable=False),
        sa.Column("facility_name", sa.String(300), nullable=False),
        sa.Column("bureau_id", sa.String(64), nullable=False),
        sa.Column("patient_ref", sa.String(64), nullable=False),
        sa.Column("filed_by", sa.String(200), nullable=False),
        sa.Column("received_at", ts, nullable=False),
        sa.Column("reply_due_at", ts, nullable=False),
        sa.Column("calendar_provisional", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("particulars_enc", sa.LargeBinary, nullable=False),
        sa.Column("closed_at", ts, nullable=True),
        sa.Column("closed_by", sa.String(200), nullable=True),
        sa.Column("close_reason", sa.Text, nullable=True),
        sa.Column("photos_deleted_at", ts, nullable=True),
        sa.UniqueConstraint("facility_id", "patient_ref"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_check_request_bureau_status_due", "check_request", ["bureau_id", "status", "reply_due_at"], schema=SCHEMA
    )
    op.create_index(
        "ix_check_request_facility_received", "check_request", ["facility_id", "received_at"], schema=SCHEMA
    )
    op.create_table(
        "attachment",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey(f"{SCHEMA}.check_request.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("media_type", sa.String(50), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("content_enc", sa.LargeBinary, nullable=True),
        sa.Column("uploaded_at", ts, nullable=False),
        sa.Column("deleted_at", ts, nullable=True),
        schema=SCHEMA,
    )
    op.create_index("ix_attachment_request_id", "attachment", ["request_id"], schema=SCHEMA)
    op.create_table(
        "finding",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), sa.ForeignKey(f"{SCHEMA}.check_request.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("recorded_at", ts, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("name_masked", sa.String(100), nullable=True),
        sa.Column("id_number_masked", sa.String(32), nullable=True),
        sa.Column("id_number_digest", sa.String(64), nullable=True),
        sa.Column("identity_enc", sa.LargeBinary, nullable=True),
        sa.Column("remarks_enc", sa.LargeBinary, nullable=True),
        sa.UniqueConstraint("request_id", "kind"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("finding", schema=SCHEMA)
    op.drop_index("ix_attachment_request_id", table_name="attachment", schema=SCHEMA)
    op.drop_table("attachment", schema=SCHEMA)
    op.drop_index("ix_check_request_facility_received", table_name="check_request", schema=SCHEMA)
    op.drop_index("ix_check_request_bureau_status_due", table_name="check_request", schema=SCHEMA)
    op.drop_table("check_request", schema=SCHEMA)
    op.drop_table("reference_counter", schema=SCHEMA)
    op.drop_table("facility", schema=SCHEMA)
