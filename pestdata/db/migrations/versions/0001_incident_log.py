"""The care team's incident log: incidents, pupils, platforms, forms, descriptions, steps, audit.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("school", sa.String(80), nullable=False),
        sa.Column("reported_on", sa.Date, nullable=False),
        sa.Column("happened_on", sa.Date),
        sa.Column("reporter", sa.String(20), nullable=False),
        sa.Column("group_name", sa.String(10), nullable=False),
        sa.Column("age_band", sa.String(12), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("handler", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_incidents_status", "incidents", ["status"])
    op.create_index("ix_incidents_school_reported", "incidents", ["school", "reported_on"])
    op.create_index("ix_incidents_reported", "incidents", ["reported_on"])

    def child(name, column, length):
        op.create_table(
            name,
            sa.Column(
                "incident_id",
                sa.Integer,
                sa.ForeignKey("incidents.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column(column, sa.String(length), primary_key=True),
        )
        op.create_index(f"ix_{name}_{column}", name, [column])

    child("incident_platforms", "platform", 20)
    child("incident_forms", "form", 20)
    op.create_table(
        "incident_pupils",
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("pupil_number", sa.String(32), primary_key=True),
        sa.Column("role", sa.String(12), nullable=False),
    )
    op.create_table(
        "descriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("written_at", sa.DateTime, nullable=False),
        sa.Column("written_by", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "steps_done",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("step_id", sa.String(40), nullable=False),
        sa.Column("done_on", sa.Date, nullable=False),
        sa.Column("done_by", sa.String(80), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(12)),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("incident_id", "step_id", name="uq_steps_done_incident_step"),
    )
    op.create_index("ix_steps_done_step", "steps_done", ["step_id", "done_on"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("incident_id", sa.Integer, index=True),
        sa.Column("field", sa.String(40)),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
    )


def downgrade() -> None:
    for name in (
        "audit",
        "steps_done",
        "descriptions",
        "incident_pupils",
        "incident_forms",
        "incident_platforms",
        "incidents",
    ):
        op.drop_table(name)
