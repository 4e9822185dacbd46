"""facts_basis: what the monthly counts were counted with (see pestdata/db/facts.py).

An edit of the school's protocol (a step made required, another follow-up step) changes what
"all required steps done" means; the counts record the protocol they were counted with, so a
change is noticed and the counts are made again. Empty here: the first check recounts.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facts_basis",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("facts_basis")
