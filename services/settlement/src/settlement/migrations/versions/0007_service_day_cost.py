"""Settlement: the active bill lines summed per admission and service day, kept up to date on
write, so the quarterly analysis (LJ-8, LJ-9, LJ-15.4) never aggregates the lines themselves.

Bill lines are never edited (a correction is a new bill replacing the old one), so the sums
change only when lines are inserted or a bill is replaced. Both triggers re-sum, from the
active lines, every admission the statement touched: exact whatever the order of a bill
and its lines, and cheap, because the bills of one admission are posted one at a time (the
admission row is locked) and an admission has few lines.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "settlement"

RESUM = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.resum_service_day_cost() RETURNS trigger AS $$
BEGIN
    DELETE FROM {SCHEMA}.service_day_cost c
    WHERE c.admission_id IN (SELECT DISTINCT admission_id FROM changed);
    INSERT INTO {SCHEMA}.service_day_cost AS c
        (admission_id, facility_id, service_date, total, self_pay, categories)
    SELECT l.admission_id, l.facility_id, l.service_date, SUM(l.amount),
           COALESCE(SUM(l.amount) FILTER (WHERE NOT l.in_catalogue), 0),
           array_agg(DISTINCT l.category ORDER BY l.category)
    FROM {SCHEMA}.bill_line l
    WHERE l.admission_id IN (SELECT DISTINCT admission_id FROM changed)
      AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.bill n WHERE n.replaces_bill_id = l.bill_id)
    GROUP BY l.admission_id, l.facility_id, l.service_date
    ON CONFLICT (admission_id, facility_id, service_date) DO UPDATE
        SET total = EXCLUDED.total, self_pay = EXCLUDED.self_pay, categories = EXCLUDED.categories;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "service_day_cost",
        sa.Column("admission_id", sa.String(length=100), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("facility_id", sa.String(length=100), nullable=False),
        sa.Column("total", sa.Numeric(16, 2), nullable=False),
        sa.Column("self_pay", sa.Numeric(16, 2), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.PrimaryKeyConstraint("admission_id", "facility_id", "service_date"),
        schema=SCHEMA,
    )
    op.create_index("ix_service_day_cost_date", "service_day_cost", ["service_date"], schema=SCHEMA)
    op.execute(RESUM)
    for table in ("bill", "bill_line"):
        op.execute(
            f"CREATE TRIGGER {table}_resum_service_day_cost AFTER INSERT ON {SCHEMA}.{table} "
            f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {SCHEMA}.resum_service_day_cost()"
        )
    # the lines already posted
    op.execute(f"""
        INSERT INTO {SCHEMA}.service_day_cost (admission_id, facility_id, service_date, total, self_pay, categories)
        SELECT l.admission_id, l.facility_id, l.service_date, SUM(l.amount),
               COALESCE(SUM(l.amount) FILTER (WHERE NOT l.in_catalogue), 0),
               array_agg(DISTINCT l.category ORDER BY l.category)
        FROM {SCHEMA}.bill_line l
        WHERE NOT EXISTS (SELECT 1 FROM {SCHEMA}.bill n WHERE n.replaces_bill_id = l.bill_id)
        GROUP BY l.admission_id, l.facility_id, l.service_date
    """)


def downgrade() -> None:
    for table in ("bill", "bill_line"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_resum_service_day_cost ON {SCHEMA}.{table}")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.resum_service_day_cost()")
    op.drop_index("ix_service_day_cost_date", "service_day_cost", schema=SCHEMA)
    op.drop_table("service_day_cost", schema=SCHEMA)
