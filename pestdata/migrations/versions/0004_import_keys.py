"""import_keys: a fingerprint per imported row, so importing the same file twice adds nothing.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_keys",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_keys")
