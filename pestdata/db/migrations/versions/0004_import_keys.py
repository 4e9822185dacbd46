"""incident_fingerprints: what makes a report the same report, so that importing the same
data twice (a file, or an export of this very database) adds nothing.

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
    from pestdata.core.model import fingerprint_of  # the one definition; it must stay stable

    op.create_table(
        "incident_fingerprints",
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("fingerprint", sa.String(64), nullable=False, index=True),
    )
    conn = op.get_bind()
    many: dict[str, dict[int, list]] = {}
    for table, columns in (
        ("incident_pupils", "pupil_number, role"),
        ("incident_platforms", "platform"),
        ("incident_forms", "form"),
    ):
        rows = conn.execute(sa.text(f"SELECT incident_id, {columns} FROM {table}"))
        for incident_id, *value in rows:
            many.setdefault(table, {}).setdefault(incident_id, []).append(tuple(value))
    incidents = conn.execute(sa.text("SELECT id, school, reported_on, group_name FROM incidents"))
    values = [
        {
            "incident_id": i,
            "fingerprint": fingerprint_of(
                school,
                str(reported_on)[:10],
                group,
                many.get("incident_pupils", {}).get(i, []),
                [p for (p,) in many.get("incident_platforms", {}).get(i, [])],
                [f for (f,) in many.get("incident_forms", {}).get(i, [])],
            ),
        }
        for i, school, reported_on, group in incidents
    ]
    if values:
        conn.execute(
            sa.text(
                "INSERT INTO incident_fingerprints (incident_id, fingerprint) "
                "VALUES (:incident_id, :fingerprint)"
            ),
            values,
        )


def downgrade() -> None:
    op.drop_table("incident_fingerprints")
