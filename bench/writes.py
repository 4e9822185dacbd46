"""The care team's writes, one at a time: a report saved, a step ticked, a tick undone, a
status changed, each in its own transaction as the dashboard makes them, on a database that
already holds `--incidents` demo reports. Prints milliseconds per write (median of
`--writes`). Each write also updates the overview's fact tables (pestdata/db/facts.py).

    python bench/writes.py [--incidents 2000] [--writes 50] [--db URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date

from pestdata.core.model import validate_step
from pestdata.db.store import Store
from pestdata.incidents import incident_log
from pestdata.school import demo


def timed(times: list[float], write, *args):
    """Run one write, add its milliseconds to `times`, return what it returned."""
    started = time.perf_counter()
    result = write(*args, actor="bench")
    times.append((time.perf_counter() - started) * 1000)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=2000)
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--db", help="a database URL (default: a new SQLite file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pestdata-writes-") as folder:
        store = Store(options.db or f"sqlite:///{folder}/writes.sqlite").ensure_schema()
        incident_log.add_incidents(store, demo.generate(options.incidents, seed=3), actor="bench")
        new = (record for record, _ in demo.generate(max(500, options.writes * 20), seed=4))
        reports = [record for record in new if record.status == "new"][: options.writes]
        ids: list[int] = []
        times: dict[str, list[float]] = {"melding opgeslagen": [], "stap afgevinkt": []}
        times |= {"vinkje teruggezet": [], "status gewijzigd": []}
        for record in reports:
            ids.append(timed(times["melding opgeslagen"], incident_log.add_incident, store, record))
        step = validate_step({"step_id": "steun", "done_on": date.today(), "done_by": "b"})
        for incident_id in ids:
            timed(times["stap afgevinkt"], incident_log.record_step, store, incident_id, step)
            timed(times["vinkje teruggezet"], incident_log.undo_step, store, incident_id, "steun")
            change = incident_log.change_status
            timed(times["status gewijzigd"], change, store, incident_id, "in_progress")
        store.close()
    print(f"{options.incidents} reports in the database, {options.writes} writes of each kind")
    for name, values in times.items():
        print(f"{name:20} {statistics.median(values):6.1f} ms (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
