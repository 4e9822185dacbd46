"""incidents.resolved_on: the date a case was resolved, for "days from report to resolved".

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("resolved_on", sa.Date))
    # Cases resolved before this column existed: take the date from the audit log.
    sqlite = op.get_bind().dialect.name == "sqlite"
    day = "substr(audit.at, 1, 10)" if sqlite else "CAST(audit.at AS DATE)"
    op.execute(
        f"""
        UPDATE incidents SET resolved_on = (
            SELECT MAX({day}) FROM audit
            WHERE audit.incident_id = incidents.id AND audit.action = 'status'
              AND audit.new_value IN ('resolved', 'closed')
        )
        WHERE status IN ('resolved', 'closed')
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("resolved_on")
