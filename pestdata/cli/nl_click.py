"""Click in Dutch: its usage errors, help headings and prompts.

Click marks every text it prints for gettext (`_()` and `ngettext()` from the gettext
module, bound in each of its modules). Here those names get a Dutch catalogue instead, the
way a translation would plug in, so `pestdata` never says "Error:", "Missing option" or
"'abc' is not a valid integer.". Texts not in the catalogue stay as Click wrote them.
"""

from __future__ import annotations

import importlib

import click

from pestdata.core import markup

CATALOGUE = {
    "Aborted!": "Afgebroken.",
    "Argument {name!r} takes {nargs} values.": "Argument {name!r} vraagt {nargs} waarden.",
    "Choose from:\n\t{choices}": "Kies uit:\n\t{choices}",
    "Commands": "Opdrachten",
    "Confirm the action without prompting.": "Bevestig zonder te vragen.",
    "Could not open file {filename!r}: {message}": "Kan bestand {filename!r} niet openen: "
    "{message}",
    "Do you want to continue?": "Wil je doorgaan?",
    "Error: The two entered values do not match.": "Fout: de twee invoeren zijn niet gelijk.",
    "Error: invalid input": "Fout: ongeldige invoer",
    "Error: {message}": "Fout: {message}",
    "Invalid value for {param_hint}: {message}": "Ongeldige waarde voor {param_hint}: {message}",
    "Invalid value: {message}": "Ongeldige waarde: {message}",
    "Missing argument": "Ontbrekend argument",
    "Missing command.": "Opdracht ontbreekt.",
    "Missing option": "Ontbrekende optie",
    "Missing parameter": "Ontbrekende waarde",
    "Missing parameter: {param_name}": "Waarde ontbreekt: {param_name}",
    "Missing {param_type}": "{param_type} ontbreekt",
    "No such command {name!r}.": "Onbekende opdracht {name!r}.",
    "No such option {name!r}.": "Onbekende optie {name!r}.",
    "Option {name!r} does not take a value.": "Optie {name!r} neemt geen waarde.",
    "Options": "Opties",
    "Positional arguments": "Argumenten",
    "Press any key to continue...": "Druk op een toets om door te gaan...",
    "Repeat for confirmation": "Nog een keer ter bevestiging",
    "Show the version and exit.": "Toon de versie en stop.",
    "Show this message and exit.": "Toon deze hulp en stop.",
    "Try '{command} {option}' for help.": "Hulp: '{command} {option}'.",
    "Usage:": "Gebruik:",
    "Value must be an iterable.": "De waarde moet een lijst zijn.",
    "default: {default}": "standaard: {default}",
    "directory": "map",
    "env var: {var}": "omgevingsvariabele: {var}",
    "file": "bestand",
    "path": "pad",
    "required": "verplicht",
    "unknown error": "onbekende fout",
    "{name} {filename!r} does not exist.": "{name} {filename!r} bestaat niet.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} is een map.",
    "{name} {filename!r} is a file.": "{name} {filename!r} is een bestand.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} is niet uitvoerbaar.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} is niet leesbaar.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} is niet schrijfbaar.",
    "{value!r} is not a valid UUID.": "{value!r} is geen geldige UUID.",
    "{value!r} is not a valid {number_type}.": "{value!r} is geen geldig {number_type}.",
    "{value} is not in the range {range}.": "{value} ligt niet in het bereik {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} is geen "
    "ja/nee-waarde. Bekende waarden: {states}",
}
TYPE_NAMES = {
    "IntParamType": "geheel getal",
    "IntRange": "geheel getal",
    "FloatParamType": "getal",
    "FloatRange": "getal",
}  # in "{number_type}"
# What the help shows for an option's value ("--db TEKST"), by the type's class.
METAVARS = {
    "StringParamType": "TEKST",
    "IntParamType": "GETAL",
    "IntRange": "GETAL",
    "FloatParamType": "GETAL",
    "FloatRange": "GETAL",
    "Path": "PAD",
    "File": "BESTAND",
}


class Option(click.Option):
    """An option whose value shows in Dutch in the help ("--seed GETAL")."""

    def make_metavar(self, ctx: click.Context) -> str:
        if self.metavar is None and not self.is_flag:
            dutch = METAVARS.get(type(self.type).__name__)
            if dutch:
                return dutch + ("..." if self.nargs != 1 else "")
        return super().make_metavar(ctx)


class Command(click.Command):
    """A command whose usage line is Dutch: "pestdata import [OPTIES] BESTAND"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[OPTIES]")
        super().__init__(*args, **kwargs)
        for param in self.params:  # options made by the decorators before the class knew
            if type(param) is click.Option:
                param.__class__ = Option


class Group(click.Group):
    """A group of Dutch commands: "pestdata [OPTIES] OPDRACHT [ARGUMENTEN]..."."""

    command_class = Command
    group_class = type  # subgroups are Dutch groups too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[OPTIES]")
        kwargs.setdefault("subcommand_metavar", "OPDRACHT [ARGUMENTEN]...")
        super().__init__(*args, **kwargs)


PLURALS = {
    "Got unexpected extra argument ({args})": (
        "Onverwacht extra argument ({args})",
        "Onverwachte extra argumenten ({args})",
    ),
    "Option {name!r} requires an argument.": (
        "Optie {name!r} vraagt een waarde.",
        "Optie {name!r} vraagt {nargs} waarden.",
    ),
    "{value!r} is not {choice}.": (
        "{value!r} is niet {choice}.",
        "{value!r} is niet een van {choices}.",
    ),  # fmt: skip
    "Did you mean {possibility}?": (
        "Bedoel je {possibility}?",
        "(Bedoel je een van: {possibilities}?)",
    ),  # fmt: skip
    "Takes {nargs} values but 1 was given.": (
        "Vraagt {nargs} waarden, er is er 1 gegeven.",
        "Vraagt {nargs} waarden, er zijn er {len} gegeven.",
    ),
    "{value!r} does not match the format {format}.": (
        "{value!r} past niet bij de vorm {format}.",
        "{value!r} past niet bij de vormen {formats}.",
    ),
}
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types",
           "utils")  # fmt: skip


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    one, many = PLURALS.get(singular, (singular, plural))
    return markup.plural(count, one, many)


def install() -> None:
    """Give Click's modules the Dutch catalogue (idempotent)."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    types = importlib.import_module("click.types")
    for name, dutch in TYPE_NAMES.items():
        getattr(types, name).name = dutch
