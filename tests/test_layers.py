"""The house keeps its plan: read from the code's own imports (ast), no module run.

SQLAlchemy stays behind the database boundary: the widgets, the charts and the shared
outputs (yearly report, parent evening) never import it, so they cannot run SQL of their own
and never have to understand its errors. Data flows one way: a module never imports one that
stands above it in the layers of docs/DESIGN.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pestdata"
NO_SQL = [
    *sorted((PACKAGE / "ui").glob("*.py")),
    *(PACKAGE / name for name in ("charts.py", "reports.py", "parent_evening.py")),
]
# Lower layers first: each may import only from layers before it (and from itself).
LAYERS = [
    {
        "settings",
        "clock",
        "shipped",
        "files",
        "markup",
        "tables",
        "privacy",
        "disclosure",
        "model",
        "recognise",
        "guidance",
        "charts",
        "nl_click",
        "names",
    },
    {"store", "facts", "demo", "school_names"},
    {
        "incident_log",
        "school_records",
        "caseload",
        "analytics",
        "maintenance",
        "accounts",
        "signals",
        "access_requests",
    },
    {"importer", "io", "reports", "parent_evening"},
    {"ui"},
    {"cli", "serve", "server", "signin", "pages", "terminal"},
]


def imported(path: Path) -> set[str]:
    """Top-level names of what `path` imports ('sqlalchemy', 'pestdata.store' as 'store')."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                parts = node.module.split(".")
                names.add(parts[1] if parts[0] == "pestdata" and len(parts) > 1 else parts[0])
            elif node.level:
                inside_ui = path.parent.name == "ui"
                base = (node.module or "").split(".")[0]
                if inside_ui and node.level == 1:
                    names.add("ui")
                elif base:
                    names.add(base)
                else:  # from . import x / from .. import x
                    names |= {a.name for a in node.names}
    return names


@pytest.mark.parametrize("path", NO_SQL, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_sqlalchemy_above_the_boundary(path):
    assert "sqlalchemy" not in imported(path)


def layer_of(name: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if name in layer), None)


def test_every_module_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"} | {"ui"}
    assert modules - set().union(*LAYERS) == set()


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_import_from_a_higher_layer(path):
    own = "ui" if path.parent.name == "ui" else path.stem
    mine = layer_of(own)
    if mine is None:  # __init__
        return
    ours = set().union(*LAYERS)
    higher = {n for n in imported(path) & ours if n != own and layer_of(n) > mine}
    assert higher == set(), f"{path.name} imports from a higher layer: {sorted(higher)}"
