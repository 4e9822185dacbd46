"""schools.school_type: primary ('basisonderwijs'), secondary ('voortgezet onderwijs') or both.

A listed school gets the type its reports and lessons show: only groepen is primary, only
klassen is secondary. A school with both, or with nothing yet, becomes 'both': no evidence
is no reason to question a group later; `pestdata schools type` (or the school list in the
import tab) sets it on purpose. See pestdata/school/school_names.py (SchoolType).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _has(kind: str) -> str:
    """SQL: the school has a report or a lesson in a group of this kind ('groep' or 'klas')."""
    return (
        f"(EXISTS (SELECT 1 FROM incidents i WHERE i.school = schools.name "
        f"AND i.group_name LIKE '{kind} %') OR EXISTS (SELECT 1 FROM lessons_given l "
        f"WHERE l.school = schools.name AND l.group_name LIKE '{kind} %'))"
    )


def upgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.add_column(
            sa.Column("school_type", sa.String(12), nullable=False, server_default="both")
        )
    op.execute(
        "UPDATE schools SET school_type = CASE "
        f"WHEN {_has('groep')} AND NOT {_has('klas')} THEN 'primary' "
        f"WHEN {_has('klas')} AND NOT {_has('groep')} THEN 'secondary' "
        "ELSE 'both' END"
    )


def downgrade() -> None:
    with op.batch_alter_table("schools") as batch:
        batch.drop_column("school_type")
