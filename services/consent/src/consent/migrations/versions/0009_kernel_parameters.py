"""The LJ-7 thresholds, the LJ-7.3 cumulative scope and the LJ-11.2 expert independence move
onto the kernel's versioned parameters (the table 0007 made): each stored policy version
becomes a version of the ``self_pay_review`` and ``major_treatment`` kinds for any region
and level, in force from its local (Asia/Shanghai) day until the next one starts.

Revision ID: 0009
Revises: 0008
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

S = "consent"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _versions(rows: list[sa.Row]) -> list[dict[str, object]]:
    """One kernel version per kind and stored row; of two rows on one local day the later wins."""
    by_day: dict[object, sa.Row] = {}
    for row in sorted(rows, key=lambda r: r.effective_from):
        by_day[datetime.fromisoformat(str(row.effective_from)).astimezone(SHANGHAI).date()] = row
    days = sorted(by_day)
    out: list[dict[str, object]] = []
    for i, day in enumerate(days):
        row = by_day[day]
        until = days[i + 1] if i + 1 < len(days) else None
        kinds = {
            "self_pay_review": {
                "review_threshold": f"{row.review_threshold:.2f}",
                "civil_affairs_single_threshold": f"{row.civil_affairs_single_threshold:.2f}",
                "civil_affairs_cumulative_threshold": f"{row.civil_affairs_cumulative_threshold:.2f}",
                "cumulative_scope": row.cumulative_scope,
            },
            "major_treatment": {"expert_from_other_hospital": row.expert_from_other_hospital},
        }
        for kind, values in kinds.items():
            out.append(
                {
                    "version_id": f"{kind}:any:any:{day.isoformat()}",
                    "kind": kind,
                    "region": "any",
                    "facility_level": "any",
                    "effective_from": day,
                    "effective_to": until,
                    "values": values,
                    "example": False,
                    "source": f"policy parameters {row.version}: {row.note}"[:300],
                    "loaded_by": row.created_by,
                    "loaded_at": row.created_at,
                }
            )
    return out


def upgrade() -> None:
    bind = op.get_bind()
    rows = list(bind.execute(sa.text(f'SELECT * FROM "{S}".policy_parameters')))
    versions = _versions(rows)
    if versions:
        table = sa.Table("parameter_version", sa.MetaData(schema=S), autoload_with=bind)
        bind.execute(table.insert(), versions)
    op.drop_table("policy_parameters", schema=S)
    # a kernel version id (kind:region:level:date) is longer than the old version names
    op.alter_column("self_pay_item", "parameters_version", type_=sa.String(200), schema=S)


def downgrade() -> None:
    op.alter_column("self_pay_item", "parameters_version", type_=sa.String(64), schema=S)
    op.create_table(
        "policy_parameters",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False, unique=True),
        sa.Column("review_threshold", sa.Numeric(14, 2), nullable=False),
        sa.Column("civil_affairs_single_threshold", sa.Numeric(14, 2), nullable=False),
        sa.Column("civil_affairs_cumulative_threshold", sa.Numeric(14, 2), nullable=False),
        sa.Column("cumulative_scope", sa.String(20), nullable=False),
        sa.Column("expert_from_other_hospital", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.execute(f"DELETE FROM \"{S}\".parameter_version WHERE kind IN ('self_pay_review', 'major_treatment')")
