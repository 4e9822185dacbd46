"""retained_counts: the anonymous monthly counts kept when old closed cases are purged.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retained_counts",
        sa.Column("school", sa.String(80), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("dimension", sa.String(20), primary_key=True),
        sa.Column("category", sa.String(20), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("retained_counts")
