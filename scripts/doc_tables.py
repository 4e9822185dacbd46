"""The generated parts of README.md and docs/DESIGN.md, so the docs cannot drift from the code.

cog (cogapp) runs these from the `[[[cog ... ]]]` blocks in those files:
`cog -r -I scripts README.md docs/DESIGN.md` writes them anew, `cog --check -I scripts ...`
fails when they are stale (tests/test_docs.py runs the check in the suite). The command table
comes from the click tree (each command's first sentence of help); the module map from each
module's docstring (its first sentence), read with ast, so no module is imported.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import textwrap
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pestdata"
SUMMARY_LIMIT = 120  # characters: a module's summary fits on one or two lines of the map
MAP_COLUMN = 25  # where the description starts in DESIGN.md's module map
MAP_WIDTH = 95


def commands(cmd: click.Command | None = None, path: tuple[str, ...] = ("pestdata",)):
    """Every command of `pestdata` as (path, command), groups before their subcommands."""
    if cmd is None:
        from pestdata.cli import main

        cmd = main
    if path != ("pestdata",):
        yield path, cmd
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(click.Context(cmd)):
            yield from commands(cmd.get_command(click.Context(cmd), name), (*path, name))


def one_line_help(cmd: click.Command) -> str:
    """The first sentence of a command's help, as `pestdata --help` lists it."""
    return cmd.get_short_help_str(limit=400)


def synopsis(path: tuple[str, ...], cmd: click.Command) -> str:
    """`pestdata users add NAAM --role [...] [OPTIES]`: arguments and required options."""
    ctx = click.Context(cmd, info_name=path[-1])
    pieces = list(path)
    optional = False
    for param in cmd.params:
        if isinstance(param, click.Argument):
            pieces.append(param.make_metavar(ctx))
        elif param.required:
            pieces.append(f"{param.opts[0]} {param.make_metavar(ctx)}")
        elif not param.hidden and param.name != "help":
            optional = True
    if isinstance(cmd, click.Group):
        pieces.append("OPDRACHT")
    if optional:
        pieces.append("[OPTIES]")
    return " ".join(pieces)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def command_table() -> str:
    """README's table of commands: one row per command, generated from the click tree."""
    rows = ["| opdracht | wat |", "|---|---|"]
    for path, cmd in commands():
        rows.append(f"| `{_cell(synopsis(path, cmd))}` | {_cell(one_line_help(cmd))} |")
    return "\n".join(rows)


def summary(path: Path) -> str | None:
    """A module's summary: the first sentence of its docstring (None without a docstring)."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not doc:
        return None
    paragraph = " ".join(doc.split("\n\n")[0].split())
    sentence = re.match(r"(.+?[.!?])(?:\s|$)", paragraph)
    return sentence.group(1) if sentence else paragraph


def modules() -> list[tuple[str, Path]]:
    """Each module of the package as (shown name, file): a package by its `__init__.py`'s
    docstring (an empty one is left out), the migration scripts as their folder."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "versions" in rel.parts or "__pycache__" in rel.parts:
            continue
        if path.name == "__init__.py":
            if path.parent == PACKAGE or not summary(path):
                continue
            found.append((f"{rel.parent.as_posix()}/", path))
        else:
            found.append((rel.as_posix(), path))
    return found


def _line(name: str, text: str) -> str:
    head = name.ljust(MAP_COLUMN - 1) + " "
    if len(name) >= MAP_COLUMN - 1:
        head = name + "  "
    return textwrap.fill(
        text,
        width=MAP_WIDTH,
        initial_indent=head,
        subsequent_indent=" " * MAP_COLUMN,
        break_on_hyphens=False,
    )


def _layers() -> list[set[str]]:
    """The layers as tests/test_layers.py checks them (lowest first)."""
    spec = importlib.util.spec_from_file_location("_layers", ROOT / "tests" / "test_layers.py")
    layers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(layers)
    return layers.LAYERS


def module_map() -> str:
    """DESIGN.md's module map: every module with its summary, the top layer first, a dashed
    line between layers; modules in no layer last."""
    layers = _layers()
    groups: list[list[str]] = [[] for _ in range(len(layers) + 1)]
    for name, path in modules():
        top = Path(name).parts[1].removesuffix(".py")
        where = next((i for i, layer in enumerate(layers) if top in layer), len(layers))
        groups[where].append(_line(name, summary(path) or ""))
    ordered = [*reversed(groups[:-1]), groups[-1]]
    return f"\n{'-' * MAP_WIDTH}\n".join("\n".join(g) for g in ordered if g)
