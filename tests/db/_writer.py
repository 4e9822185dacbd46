"""Writer process for tests/db/test_concurrency.py (run as a script, not collected by pytest).

    python _writer.py reports URL WORKER COUNT GO_FILE
        print "ready", wait until GO_FILE exists, then add COUNT reports one by one
        (one transaction each); print "first_ts last_ts" when done.
    python _writer.py bulk URL BATCH PREFIX
        print "ready", wait for a line on stdin (so the test can start the next writer while
        the current one runs), then forever: print "start N", add BATCH reports
        (tags PREFIX-N-i) in one transaction, print "done N".

Each line goes out in one write(), so a writer killed while printing leaves no half line (a
plain print(a, b) makes four writes when PYTHONUNBUFFERED is set).

Every report has the same shape, with the sequence number in its pupil numbers and its
description, so the test can tell a whole report from a torn one.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from pestdata.core.model import validate_incident
from pestdata.db.store import Store
from pestdata.incidents import incident_log

PLATFORMS = ["whatsapp", "tiktok"]
FORMS = ["gossip", "threats"]


def say(*words) -> None:
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


def report(tag: str):
    return validate_incident(
        {
            "school": "De Regenboog",
            "reported_on": date(2024, 3, 1),
            "reporter": "teacher",
            "pupils": [
                {"pupil_number": f"{tag}-1", "role": "target"},
                {"pupil_number": f"{tag}-2", "role": "bully"},
            ],
            "group": "groep 6",
            "platforms": PLATFORMS,
            "forms": FORMS,
            "severity": "low",
            "handler": "Writer",
            "description": f"melding {tag}",
        }
    )


def reports(url: str, worker: int, count: int, go_file: str) -> None:
    store = Store(url)
    say("ready")
    go = Path(go_file)
    while not go.exists():
        time.sleep(0.002)
    first = time.time()
    for n in range(count):
        incident_log.add_incident(store, report(f"W{worker}-{n}"), actor=f"writer{worker}")
    say(first, time.time())


def bulk(url: str, batch: int, prefix: str) -> None:
    store = Store(url)
    say("ready")
    sys.stdin.readline()
    number = 0
    while True:
        number += 1
        say("start", number)
        incident_log.add_incidents(
            store,
            ((report(f"{prefix}-{number}-{n}"), []) for n in range(batch)),
            actor="bulk",
            batch=batch,
        )
        say("done", number)


if __name__ == "__main__":
    mode, url, *args = sys.argv[1:]
    if mode == "reports":
        reports(url, int(args[0]), int(args[1]), args[2])
    elif mode == "bulk":
        bulk(url, int(args[0]), args[1])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
