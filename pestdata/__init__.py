"""pestdata: see, handle and prevent online bullying at school.

The packages are the architecture. Each sits in one layer of `LAYERS` and imports only from its
own layer and the layers below it; only packages marked `sql` import SQLAlchemy. Data flows one
way: database → store → the school's records → documents → widgets → notebook.
tests/test_layers.py checks this from the imports on every run; docs/DESIGN.md prints it.
"""

# The layer contract, lowest layer first: package → (runs SQL, what it holds).
LAYERS: list[dict[str, tuple[bool, str]]] = [
    {
        "core": (False, "vocabulary, validated records, rules and Dutch text; no storage"),
    },
    {
        "db": (True, "the database boundary: engine, tables, migrations, monthly counts"),
    },
    {
        "incidents": (True, "reports and their handling: the log, reads, signals, inzage"),
        "school": (True, "the school's lists and school-wide work, and demo data"),
        "overview": (True, "the leadership's questions, answered in SQL"),
        "people": (True, "accounts and roles"),
    },
    {
        "registers": (True, "a school's files in and out: import and export"),
        "documents": (False, "charts, PDFs and the parent evening, from figures already read"),
    },
    {
        "ui": (False, "the dashboards' widgets"),
    },
    {
        "web": (False, "the Voilà server, sign-in and pages"),
        "cli": (False, "the `pestdata` command"),
    },
]
