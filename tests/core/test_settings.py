"""The settings registry (pestdata/core/settings.py) is the one list of PESTDATA_* settings: no
other module reads one from the environment, every name the package uses is in it, and
README's settings table shows exactly its settings with the same defaults."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from pestdata.core import clock, guidance, privacy, settings
from pestdata.db.store import database_url
from pestdata.incidents import signals

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pestdata"
SOURCES = [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


@functools.cache
def constants() -> dict[str, str]:
    """Every module-level NAME = "PESTDATA_…" in the package (SOCKET_ENV, PREHEAT_KEY…); read
    once per run (each of the ~100 checks below used to parse the whole package again)."""
    found = {}
    for path in SOURCES:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node.value.value
    return found


def environment_reads(path: Path, known: dict[str, str]) -> list[str]:
    """The names `path` reads from os.environ or os.getenv: os.environ.get(X),
    os.environ[X] (read, not written), os.environ.pop(X), os.getenv(X), with X a string
    or a constant that holds one."""

    def name_of(node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return known.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            return known.get(node.attr, node.attr)
        return ast.unparse(node)

    def is_environ(node: ast.expr) -> bool:
        return ast.unparse(node) in {"os.environ", "environ"}

    reads = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Attribute) and (
                (func.attr in {"get", "pop", "setdefault"} and is_environ(func.value))
                or ast.unparse(func) in {"os.getenv", "getenv"}
            ):
                reads.append(name_of(node.args[0]))
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and is_environ(node.value)
        ):
            reads.append(name_of(node.slice))
    return reads


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_registry_reads_a_pestdata_setting_from_the_environment(path):
    if path.name == "settings.py":
        return
    reads = environment_reads(path, constants())
    assert [name for name in reads if name.startswith("PESTDATA_")] == []


def test_the_check_finds_every_way_of_reading(tmp_path):
    """The check above would see a reader that came back, in any of its forms."""
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "import os\nKEY = 'PESTDATA_X'\n"
        "a = os.environ.get('PESTDATA_DB')\nb = os.environ[KEY]\nc = os.getenv('PESTDATA_TZ')\n"
        "os.environ['PESTDATA_ROLE'] = 'leiding'\n",
        encoding="utf-8",
    )
    assert environment_reads(sneaky, {"KEY": "PESTDATA_X"}) == [
        "PESTDATA_DB",
        "PESTDATA_X",
        "PESTDATA_TZ",
    ]


def test_every_setting_the_package_names_is_in_the_registry():
    named = set()
    for path in SOURCES:
        named |= set(re.findall(r"(?<![A-Z_])PESTDATA_[A-Z_]+[A-Z]", path.read_text("utf-8")))
    assert named - set(settings.SETTINGS) == set()
    assert set(settings.SETTINGS) - named == set()


def test_every_setting_has_a_dutch_line_of_help():
    for setting in settings.SETTINGS.values():
        assert setting.help and "\n" not in setting.help, setting.name
        assert setting.documented_default, setting.name


def readme_settings() -> dict[str, str]:
    """README's settings table ('## Instellingen'): each PESTDATA_ name with its default
    column. Rows without one (--port) are command-line options, not settings."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Instellingen\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3:
            continue
        for name in re.findall(r"`(PESTDATA_[A-Z_]+)`", cells[0]):
            rows[name] = cells[1]
    return rows


def test_readme_lists_exactly_the_registrys_settings_with_their_defaults():
    documented = readme_settings()
    assert set(documented) == set(settings.SETTINGS)
    for name, default in documented.items():
        assert default == settings.SETTINGS[name].documented_default, name


def test_an_unknown_setting_is_refused():
    with pytest.raises(KeyError):
        settings.get("PESTDATA_DOES_NOT_EXIST")


def test_a_setting_that_is_not_set_has_its_default(monkeypatch):
    for name in ("PESTDATA_TZ", "PESTDATA_MIN_COUNT", "PESTDATA_SIGNAL_MIN_CASES"):
        monkeypatch.delenv(name, raising=False)
    assert clock.zone().key == "Europe/Amsterdam"
    assert privacy.threshold() == 5
    assert signals.min_incidents() == 2


def test_settings_set_by_a_school_are_used(monkeypatch, tmp_path):
    monkeypatch.setenv("PESTDATA_TZ", "Europe/Brussels")
    monkeypatch.setenv("PESTDATA_MIN_COUNT", "10")
    monkeypatch.setenv("PESTDATA_SIGNAL_MIN_CASES", "3")
    monkeypatch.setenv("PESTDATA_DATA", str(tmp_path))
    monkeypatch.setenv("PESTDATA_DB", f"sqlite:///{tmp_path}/school.sqlite")
    assert clock.zone().key == "Europe/Brussels"
    assert privacy.threshold() == 10
    assert signals.min_incidents() == 3
    assert guidance.data_dir() == tmp_path
    assert database_url() == f"sqlite:///{tmp_path}/school.sqlite"


@pytest.mark.parametrize(
    ("given", "threshold", "minimum"),
    [("abc", 5, 2), ("", 5, 2), ("0", 1, 2), ("7,5", 5, 2), (" 8 ", 8, 8)],
)
def test_a_number_setting_typed_wrong_falls_back(monkeypatch, given, threshold, minimum):
    """A typo in a service file gives the default, and no setting goes below its floor."""
    monkeypatch.setenv("PESTDATA_MIN_COUNT", given)
    monkeypatch.setenv("PESTDATA_SIGNAL_MIN_CASES", given)
    assert privacy.threshold() == threshold
    assert signals.min_incidents() == minimum
