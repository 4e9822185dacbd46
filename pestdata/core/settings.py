"""Every PESTDATA_* setting with its default and help; the only reader of them.

Every PESTDATA_* setting in one list, with its default and what it does; the only module
that reads them from the environment, so that no setting hides in a corner of the package.

README's settings table shows the same settings with the same defaults
(tests/core/test_settings.py checks both, and that no other module reads os.environ for one).
Code that starts another process may still write a setting into that process's environment
(serve.voila_env, the server for its kernels); reading it back goes through `get` here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One setting: `default` is what the code gets when it is not set (None: the module
    that uses it works the default out, as `shown` describes), `help` one line in Dutch."""

    name: str
    default: str | None
    help: str
    shown: str = ""  # the default as README shows it; empty: `default` in backticks

    @property
    def documented_default(self) -> str:
        return self.shown or f"`{self.default}`"


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "PESTDATA_DB",
            None,
            "de database: elke SQLAlchemy-URL (SQLite of PostgreSQL); ook via --db",
            shown="`var/pestdata.sqlite` in de broncodemap (een oude `data/pestdata.sqlite` "
            "verhuist daar vanzelf heen); na `pip install pestdata` "
            "`~/.local/share/pestdata/pestdata.sqlite`",
        ),
        Setting(
            "PESTDATA_TOKEN",
            "",
            "toegangscode voor een server zonder accounts (scripts en tests); ook --token-file",
            shown="geen (persoonlijke accounts)",
        ),
        Setting(
            "PESTDATA_DATA",
            None,
            "map met het eigen protocol en de handreiking van de school",
            shown="`data/` (meegeleverd)",
        ),
        Setting(
            "PESTDATA_TZ",
            "Europe/Amsterdam",
            "tijdzone van alle tijden op het scherm en op papier (opgeslagen in UTC)",
        ),
        Setting(
            "PESTDATA_MIN_COUNT",
            "5",
            'aantallen hieronder worden in gedeelde weergaven "< 5"',
        ),
        Setting(
            "PESTDATA_SIGNAL_MIN_CASES",
            "2",
            "vanaf hoeveel meldingen een leerling (of groepje) een signaal is",
        ),
        Setting(
            "PESTDATA_ROLE",
            None,
            "de rol van deze server of pagina; gezet door pestdata serve (--role)",
            shown="geen rol: geen dashboard, geen precieze aantallen",
        ),
        Setting(
            "PESTDATA_NAMES_CACHE",
            None,
            "map voor de opgebouwde namenlijsten van de namencontrole",
            shown="`~/.cache/pestdata/` (of `$XDG_CACHE_HOME/pestdata/`)",
        ),
        Setting(
            "PESTDATA_NAMES_SOCKET",
            None,
            "socket van de namencontrole; gezet door de server voor zijn kernels",
            shown="geen (gezet door pestdata serve)",
        ),
        Setting(
            "PESTDATA_PREHEAT_KEY",
            "",
            "sleutel waarmee een voorverwarmde kernel zich meldt; gezet door de server",
            shown="geen (gezet door pestdata serve)",
        ),
    )
}


def get(name: str) -> str | None:
    """The setting's value in this process's environment, else its default. An unknown
    name is a KeyError: every setting is in SETTINGS."""
    return os.environ.get(name, SETTINGS[name].default)


def integer(name: str, at_least: int) -> int:
    """A whole-number setting, never below `at_least`; a value that is not a number counts
    as the default (a typo in a service file must not stop the dashboards)."""
    try:
        value = int(get(name) or "")
    except ValueError:
        value = int(SETTINGS[name].default or at_least)
    return max(at_least, value)
