"""The database tables (SQLAlchemy Core). Alembic migrations own the schema; these
definitions must match the newest migration (a test compares them)."""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

metadata = sa.MetaData()
incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("school", sa.String(80), nullable=False),
    sa.Column("reported_on", sa.Date, nullable=False),
    sa.Column("happened_on", sa.Date),
    sa.Column("reporter", sa.String(20), nullable=False),
    sa.Column("group_name", sa.String(10), nullable=False),
    sa.Column("age_band", sa.String(12), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("motive", sa.String(20), nullable=False, server_default="unknown"),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("handler", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("resolved_on", sa.Date),
)
incident_pupils = sa.Table(
    "incident_pupils",
    metadata,
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("pupil_number", sa.String(32), primary_key=True),
    sa.Column("role", sa.String(12), nullable=False),
)
incident_platforms = sa.Table(
    "incident_platforms",
    metadata,
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("platform", sa.String(20), primary_key=True),
)
incident_forms = sa.Table(
    "incident_forms",
    metadata,
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("form", sa.String(20), primary_key=True),
)
descriptions = sa.Table(
    "descriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("written_at", sa.DateTime, nullable=False),
    sa.Column("written_by", sa.String(80), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
steps_done = sa.Table(
    "steps_done",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("step_id", sa.String(40), nullable=False),
    sa.Column("done_on", sa.Date, nullable=False),
    sa.Column("done_by", sa.String(80), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(12)),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)
school_actions_done = sa.Table(
    "school_actions_done",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("school", sa.String(80), nullable=False),
    sa.Column("action_id", sa.String(40), nullable=False),
    sa.Column("done_on", sa.Date, nullable=False),
    sa.Column("done_by", sa.String(80), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)
lessons_given = sa.Table(
    "lessons_given",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("school", sa.String(80), nullable=False),
    sa.Column("material_id", sa.String(40), nullable=False),
    sa.Column("group_name", sa.String(10), nullable=False),
    sa.Column("age_band", sa.String(12), nullable=False),
    sa.Column("given_on", sa.Date, nullable=False),
    sa.Column("given_by", sa.String(80), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
)
schools = sa.Table(
    "schools",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.Column("added_by", sa.String(80), nullable=False),
    # primary, secondary or both (school_names.SchoolType): which groups fit the school
    sa.Column("school_type", sa.String(12), nullable=False, server_default="both"),
)
access_requests = sa.Table(
    "access_requests",
    metadata,
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
incident_fingerprints = sa.Table(
    "incident_fingerprints",
    metadata,
    sa.Column("incident_id", sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
)
retained_counts = sa.Table(
    "retained_counts",
    metadata,
    sa.Column("school", sa.String(80), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("dimension", sa.String(20), primary_key=True),
    sa.Column("category", sa.String(20), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("incident_id", sa.Integer),
    sa.Column("field", sa.String(40)),
    sa.Column("old_value", sa.Text),
    sa.Column("new_value", sa.Text),
)

# --- fact tables: the overview's monthly counts, kept by pestdata.db.facts ----------------------
# One row per platform × form × month × school × group; '' in platform or form means "all".
# The key starts with platform and form, so the overview reads one contiguous slice.
FACT_KEY = ("platform", "form", "month", "school", "group_name", "age_band")


def _fact_key_columns() -> list[sa.Column]:
    return [
        sa.Column("platform", sa.String(20), primary_key=True),
        sa.Column("form", sa.String(20), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("school", sa.String(80), primary_key=True),
        sa.Column("group_name", sa.String(10), primary_key=True),
        sa.Column("age_band", sa.String(12), primary_key=True),
    ]


report_facts = sa.Table(
    "report_facts",
    metadata,
    *_fact_key_columns(),
    sa.Column("reports", sa.Integer, nullable=False),
    sa.Column("finished", sa.Integer, nullable=False),
    sa.Column("finished_all_required", sa.Integer, nullable=False),
    sa.Column("followup_in_time", sa.Integer, nullable=False),
)
step_facts = sa.Table(
    "step_facts",
    metadata,
    *_fact_key_columns(),
    sa.Column("step_id", sa.String(40), primary_key=True),
    sa.Column("days", sa.Integer, primary_key=True),
    sa.Column("done", sa.Integer, nullable=False),
)
# What the fact tables were counted with (name 'protocol': facts.protocol_basis()).
facts_basis = sa.Table(
    "facts_basis",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("totp_secret", sa.String(64)),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("session_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("totp_last_step", sa.BigInteger),  # the last TOTP time step used: a code works once
)
# Failed logins per (name as typed, client): accounts.py's growing delays.
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("client", sa.String(100), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_failed_at", sa.DateTime, nullable=False),
    sa.Column("locked_until", sa.DateTime),
)


def conflict_insert(dialect: str):
    """The INSERT of this kind of database, the one with ON CONFLICT clauses (SQLite and
    PostgreSQL, the two the store supports): `conflict_insert(conn.dialect.name)(table)`."""
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
