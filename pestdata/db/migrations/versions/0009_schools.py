"""schools: the list of schools, added on purpose (see pestdata/school/school_names.py).

Every spelling already in the database becomes a school as it is: nothing is merged here.
Spellings of one school are merged only when someone asks (`pestdata schools merge`).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("added_by", sa.String(80), nullable=False),
    )
    op.execute(
        "INSERT INTO schools (name, added_at, added_by) "
        "SELECT school, CURRENT_TIMESTAMP, 'bij het bijwerken naar versie 0009' FROM ("
        "SELECT school FROM incidents UNION SELECT school FROM school_actions_done "
        "UNION SELECT school FROM lessons_given UNION SELECT school FROM retained_counts"
        ") AS used ORDER BY school"
    )


def downgrade() -> None:
    op.drop_table("schools")
