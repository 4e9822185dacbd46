"""report_facts and step_facts: the overview's monthly counts (see pestdata/db/facts.py).

The tables are created empty; Store.migrate fills them after upgrading from below 0006,
with the code of the newest version (a migration must not run old counting code against
a newer schema).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _key() -> list[sa.Column]:
    return [
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("form", sa.String(20), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("school", sa.String(80), primary_key=True),
        sa.Column("group_name", sa.String(10), primary_key=True),
        sa.Column("age_band", sa.String(12), primary_key=True),
    ]


def upgrade() -> None:
    # Open cases of one school: without it SQLite walks all of the school's reports.
    op.create_index("ix_incidents_status_school", "incidents", ["status", "school"])
    op.create_table(
        "report_facts",
        *_key(),
        sa.Column("reports", sa.Integer, nullable=False),
        sa.Column("finished", sa.Integer, nullable=False),
        sa.Column("finished_all_required", sa.Integer, nullable=False),
        sa.Column("followup_in_time", sa.Integer, nullable=False),
    )
    op.create_table(
        "step_facts",
        *_key(),
        sa.Column("step_id", sa.String(40), primary_key=True),
        sa.Column("days", sa.Integer, primary_key=True),
        sa.Column("done", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("step_facts")
    op.drop_table("report_facts")
    op.drop_index("ix_incidents_status_school", "incidents")
