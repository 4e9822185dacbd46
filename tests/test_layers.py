"""The house keeps its plan: read from the code's own imports (ast), no module run.

The layer contract is one table, `pestdata.LAYERS`: each package sits in one layer and imports
only from its own layer and the layers below it, so data flows one way. Only packages marked
`sql` import SQLAlchemy: the documents, the widgets and the server never run SQL of their own
and never have to understand its errors. docs/DESIGN.md prints the same table.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import loaded_by

from pestdata import LAYERS

PACKAGE = Path(__file__).resolve().parent.parent / "pestdata"
LAYER_OF = {name: i for i, layer in enumerate(LAYERS) for name in layer}
RUNS_SQL = {name for layer in LAYERS for name, (sql, _) in layer.items() if sql}
MODULES = [
    p
    for p in sorted(PACKAGE.rglob("*.py"))
    if "migrations" not in p.parts and p.parent != PACKAGE and "__pycache__" not in p.parts
]


def package_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def imported(path: Path) -> set[str]:
    """What the module at `path` imports (`imports_in`)."""
    where = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]  # ('pestdata', 'ui')
    return imports_in(path.read_text(encoding="utf-8"), where)


def imports_in(text: str, where: tuple[str, ...]) -> set[str]:
    """Third-party top-level names ('sqlalchemy') and our packages ('db' for
    `pestdata.db.store` or `from ..db import store`) that code in package `where` imports."""
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(where[: len(where) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            modules = (
                [module] if module != "pestdata" else [f"pestdata.{a.name}" for a in node.names]
            )
        else:
            continue
        for module in modules:
            parts = module.split(".")
            names.add(parts[1] if parts[0] == "pestdata" and len(parts) > 1 else parts[0])
    return names


def test_every_package_has_a_layer_and_the_top_level_holds_no_module():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYER_OF)
    assert sorted(p.name for p in PACKAGE.glob("*.py")) == ["__init__.py"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_from_a_higher_layer(path):
    own = package_of(path)
    higher = {n for n in imported(path) & set(LAYER_OF) if LAYER_OF[n] > LAYER_OF[own]}
    assert higher == set(), f"{path.name} imports from a higher layer: {sorted(higher)}"


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if package_of(p) not in RUNS_SQL],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_sqlalchemy_outside_the_packages_that_run_sql(path):
    assert "sqlalchemy" not in imported(path)


def test_the_check_sees_a_forbidden_import():
    """The reader itself: a core module importing the store or the widgets, relative or
    absolute, is seen."""
    where = ("pestdata", "core")
    for text in (
        "from pestdata.db import store",
        "from ..db.store import Store",
        "import pestdata.ui",
    ):
        assert imports_in(text, where) & {"db", "ui"}
    assert imports_in("from . import clock", where) == {"core"}


def test_the_tests_mirror_the_packages_and_each_folder_is_on_the_path():
    """tests/<package>/ for each package that has tests; pyproject's pythonpath names every
    such folder, so a new one cannot be forgotten."""
    import tomllib

    tests = Path(__file__).resolve().parent
    folders = {p.name for p in tests.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= set(LAYER_OF), sorted(folders - set(LAYER_OF))
    config = tomllib.loads((tests.parent / "pyproject.toml").read_text(encoding="utf-8"))
    path = config["tool"]["pytest"]["ini_options"]["pythonpath"]
    assert set(path) == {"tests"} | {f"tests/{name}" for name in folders}


MOST_LINES = 400


def test_no_module_is_over_400_lines():
    """Every module here that grew past 400 lines held several concerns (importer.py had 852:
    reading, checking, storing and three copies of its column list); one that grows so far
    is split along its seams (issue 24)."""
    lines = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert len(lines) > 100
    too_long = {str(p.relative_to(PACKAGE.parent)): n for p, n in lines.items() if n > MOST_LINES}
    assert too_long == {}


STATES = sorted(
    ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
    for p in (PACKAGE / "ui").rglob("*state.py")
)


def test_each_dashboards_page_state_is_decided_without_widgets():
    """The pages' states (ui/care_state.py, ui/overview/state.py, ui/slides_state.py,
    ui/guidance_state.py) import no ipywidgets, also not through what they import: a test asks
    them in-process, and the widgets only draw them."""
    assert len(STATES) >= 4, STATES
    assert loaded_by(STATES, ["ipywidgets"]) == []


PAGES = {  # each dashboard's notebook imports its page from here
    "meldingen": "pestdata.ui.meldingen",
    "overzicht": "pestdata.ui.overview.page",
    "handelingsadvies": "pestdata.ui.handelingsadvies",
    "ouderavond": "pestdata.ui.slides",
}


# What a page's kernel may leave unloaded until it is used: argon2, pyotp, the password and
# account modules (no page checks a password or changes an account; people.person says who is
# signed in), the importer (only the care team's page reads a file),
# the plotly package (plotly.js draws in the browser; charts.py writes the JSON), and pandas:
# the figures come from plain rows (overview/reading.py), and the care team's page loads it
# only to read or write a register or draw a group's network. tests/web/test_light_pages.py
# draws the pages and asks a real kernel the same.
NEVER = ["argon2", "pyotp", "pestdata.people.accounts", "pestdata.people.passwords", "plotly"]
LEFT_OUT = {
    "meldingen": [*NEVER, "pandas", "numpy"],
    "overzicht": [*NEVER, "pestdata.registers.importer", "pandas", "numpy"],
    "handelingsadvies": [*NEVER, "pestdata.registers.importer", "pandas", "numpy"],
    "ouderavond": [*NEVER, "pestdata.registers.importer", "pandas", "numpy"],
}


def test_the_fork_process_preloads_exactly_the_page_modules_the_notebooks_import():
    """A page module the fork process does not know would be imported by each kernel on its
    own (slower, and unshared memory); one it knows but no notebook uses costs every kernel."""
    from pestdata.web.kernel_forks import PAGES as PRELOADED_PAGES

    assert sorted(PRELOADED_PAGES) == sorted(PAGES.values())


@pytest.mark.parametrize("name", PAGES)
def test_a_pages_kernel_loads_only_what_the_page_uses(name):
    """Each library costs every kernel its import time and memory (the care team's page:
    0.46 s and 114 MB → 0.26 s and 70 MB without pandas, plotly and argon2)."""
    notebook = (PACKAGE.parent / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
    assert f"from {PAGES[name]} import" in notebook
    assert loaded_by([PAGES[name]], LEFT_OUT[name]) == []
