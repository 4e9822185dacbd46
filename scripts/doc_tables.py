"""The generated parts of README.md and docs/DESIGN.md, so the docs cannot drift from the code.

cog (cogapp) runs these from the `[[[cog ... ]]]` blocks in those files:
`python scripts/doc_tables.py` writes them anew, `python scripts/doc_tables.py --check` fails
when they are stale (tests/test_docs.py runs the check in the suite). The command table
comes from the click tree (each command's first sentence of help), docs/COMMANDS.md from each
command's whole --help; the module map from each module's docstring (its first sentence), read
with ast, so no module is imported.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path

import click
from cogapp import Cog

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pestdata"
GENERATED = [ROOT / "README.md", ROOT / "docs" / "DESIGN.md", ROOT / "docs" / "COMMANDS.md"]
SUMMARY_LIMIT = 120  # characters: a module's summary fits on one or two lines of the map
MAP_COLUMN = 36  # where the description starts in DESIGN.md's module map
MAP_WIDTH = 95


def commands(cmd: click.Command | None = None, path: tuple[str, ...] = ("pestdata",)):
    """Every command of `pestdata` as (path, command), groups before their subcommands."""
    if cmd is None:
        from pestdata.cli.main import main

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


HELP_WIDTH = 95


def help_pages() -> str:
    """docs/COMMANDS.md: each command's whole `--help`, as a fixed-width terminal shows it.

    A default that names this checkout (the notebooks folder) is shown relative to it, so the
    page is the same on every machine."""
    from pestdata.cli.main import main

    # The group's own context settings (-h beside --help), as `pestdata --help` applies them;
    # a bare Context would leave them out until click caches its help option on a real run.
    root = _context(main, info_name="pestdata", **main.context_settings)
    pages = [f"## `pestdata`\n\n```\n{main.get_help(root)}\n```"]
    contexts = {("pestdata",): root}
    for path, cmd in commands(main):
        ctx = _context(cmd, info_name=path[-1], parent=contexts[path[:-1]])
        contexts[path] = ctx
        with _relative_defaults(cmd):
            text = cmd.get_help(ctx)
        pages.append(f"## `{' '.join(path)}`\n\n```\n{text}\n```")
    return "\n\n".join(pages)


def _context(cmd, **kwargs) -> click.Context:
    """A click context at the fixed width of the help pages."""
    kwargs.setdefault("terminal_width", HELP_WIDTH)
    return click.Context(cmd, max_content_width=HELP_WIDTH, **kwargs)


class _relative_defaults:  # noqa: N801 - used as a with-statement
    """Show a default inside this checkout relative to it, for the time of a help page."""

    def __init__(self, cmd: click.Command):
        self.changed = []
        for param in cmd.params:
            default = param.default
            if isinstance(default, str | Path) and str(default).startswith(str(ROOT)):
                shown = Path(default).relative_to(ROOT).as_posix() + "/ in de broncodemap"
                self.changed.append((param, param.show_default))
                param.show_default = shown

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for param, before in self.changed:
            param.show_default = before


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


def layer_table() -> str:
    """DESIGN.md's layer contract: `pestdata.LAYERS` as a table, the top layer first."""
    from pestdata import LAYERS

    rows = ["| laag | package | SQL | wat |", "|---|---|---|---|"]
    for number, layer in reversed(list(enumerate(LAYERS))):
        for name, (sql, what) in layer.items():
            rows.append(f"| {number} | `pestdata/{name}/` | {'ja' if sql else '—'} | {what} |")
    return "\n".join(rows)


def module_map() -> str:
    """DESIGN.md's module map: every module with its summary, the top layer first, a dashed
    line between layers; modules in no layer last."""
    from pestdata import LAYERS

    groups: list[list[str]] = [[] for _ in range(len(LAYERS) + 1)]
    for name, path in modules():
        top = Path(name).parts[1].removesuffix(".py")
        where = next((i for i, layer in enumerate(LAYERS) if top in layer), len(LAYERS))
        groups[where].append(_line(name, summary(path) or ""))
    ordered = [*reversed(groups[:-1]), groups[-1]]
    return f"\n{'-' * MAP_WIDTH}\n".join("\n".join(g) for g in ordered if g)


def cog(*, check: bool, files=GENERATED, out=None) -> int:
    """Run cog over the generated docs: rewrite them, or (`check`) only say whether they are
    current (0) or stale (5)."""
    runner = Cog()
    if out is not None:
        runner.set_output(stdout=out, stderr=out)
    mode = "--check" if check else "-r"
    return runner.main(["cog", mode, "-I", str(Path(__file__).parent), *map(str, files)])


if __name__ == "__main__":
    sys.exit(cog(check="--check" in sys.argv[1:]))
