"""Time of the care team's signals view and of an inzage file on a large register.

Fills a temp SQLite file with `demo.generate(N)` reports (default 100,000), then times, in
one run: signals.find over the last 12 months and over everything, the network of the
busiest group, the other cases of one case, and the inzage file (gathered and laid out) for
the pupil with the most cases. Prints the median of `--runs` runs per step, with min and max.

    python bench/signals.py [--incidents 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from pestdata.core import clock
from pestdata.db.store import Store
from pestdata.db.tables import incident_pupils, incidents
from pestdata.documents.inzage_file import inzage_pdf
from pestdata.incidents import incident_log, signals
from pestdata.incidents.inzage_file import gather_inzage_file
from pestdata.school import demo


def timed(runs: int, step) -> list[float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pestdata-bench-") as folder:
        store = Store(f"sqlite:///{Path(folder)}/bench.sqlite").ensure_schema()
        start = time.perf_counter()
        incident_log.add_incidents(store, demo.generate(args.incidents, seed=1), actor="bench")
        print(f"{args.incidents} meldingen gemaakt in {time.perf_counter() - start:.1f} s")
        p, c = incident_pupils.c, incidents.c
        with store.reading() as conn:
            pupil, pupil_incidents = conn.execute(
                sa.select(p.pupil_number, sa.func.count())
                .group_by(p.pupil_number)
                .order_by(sa.func.count().desc())
                .limit(1)
            ).one()
            group = (
                conn.execute(
                    sa.select(c.group_name).group_by(c.group_name).order_by(sa.func.count().desc())
                )
                .scalars()
                .first()
            )
            one_incident = conn.execute(
                sa.select(p.incident_id).where(p.pupil_number == pupil).limit(1)
            ).scalar()
        today = clock.today()
        year_ago = today - timedelta(days=365)
        found = signals.find(store, year_ago, today)
        print(
            f"signalen (12 maanden): {len(found.targeted)} herhaaldelijk gepest, "
            f"{len(found.bullying)} herhaaldelijk pester, {len(found.both)} allebei, "
            f"{len(found.together)} groepjes; inzage voor {pupil} ({pupil_incidents} meldingen)"
        )
        steps = {
            "signalen, 12 maanden": lambda: signals.find(store, year_ago, today),
            "signalen, alles": lambda: signals.find(store),
            f"netwerk {group}, 12 maanden": lambda: signals.network(store, group, year_ago, today),
            "andere meldingen van een melding": lambda: signals.other_incidents(
                store, one_incident
            ),
            f"inzagebestand ({pupil_incidents} meldingen)": lambda: inzage_pdf(
                gather_inzage_file(store, pupil, "bench")
            ),
        }
        for name, step in steps.items():
            seconds = timed(args.runs, step)
            print(
                f"{name:40} mediaan {statistics.median(seconds):6.3f} s "
                f"(min {min(seconds):.3f}, max {max(seconds):.3f})"
            )


if __name__ == "__main__":
    main()
