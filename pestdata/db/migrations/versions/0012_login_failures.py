"""login_failures: failed logins per (name, client), with the delay each pair must wait
(see pestdata/people/accounts.py); accounts.totp_last_step, so a TOTP code works once.

The account-wide counter and lock (accounts.failed_logins, accounts.locked_until) go: with
them anyone who knew a name could keep that person out.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("client", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failed_at", sa.DateTime, nullable=False),
        sa.Column("locked_until", sa.DateTime),
    )
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger))
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("locked_until", sa.DateTime))
        batch.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        batch.drop_column("totp_last_step")
    op.drop_table("login_failures")
