"""The admission a letter is for (from the fund case) and whether it was sent late (GD-16.1).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "identity_check"
COLUMNS = (
    ("admitted_at", lambda: sa.DateTime(timezone=True)),
    ("admission_source", lambda: sa.String(100)),
    ("sent_late", sa.Boolean),
    ("sent_late_parameters_version", lambda: sa.String(200)),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("check_request", sa.Column(name, type_(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("check_request", name, schema=SCHEMA)
