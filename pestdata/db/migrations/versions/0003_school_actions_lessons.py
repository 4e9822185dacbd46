"""The school-wide checklist ("Heb je de acties uitgevoerd?") and lessons given.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_actions_done",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("school", sa.String(80), nullable=False),
        sa.Column("action_id", sa.String(40), nullable=False),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("done_by", sa.String(80), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("school", "action_id", name="uq_school_actions_done_school_action"),
    )
    op.create_table(
        "lessons_given",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("school", sa.String(80), nullable=False),
        sa.Column("material_id", sa.String(40), nullable=False),
        sa.Column("group_name", sa.String(10), nullable=False),
        sa.Column("age_band", sa.String(12), nullable=False),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("given_by", sa.String(80), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_lessons_given_school_date", "lessons_given", ["school", "given_on"])


def downgrade() -> None:
    op.drop_table("lessons_given")
    op.drop_table("school_actions_done")
