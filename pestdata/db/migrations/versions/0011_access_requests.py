"""access_requests: a parent's or pupil's request under the AVG for what the school keeps
(inzageverzoek), with its due date (see pestdata/incidents/access_requests.py).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pupil_number", sa.String(32), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("extension_reason", sa.Text),
        sa.Column("answered_on", sa.Date),
        sa.Column("registered_by", sa.String(80), nullable=False),
        sa.Column("registered_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("access_requests")
