"""Every test run gets its own SQLite file; nothing touches data/pestdata.sqlite.

The notebook kernels that nbval starts inherit this environment (see docs/VOILA-NOTES.md).
"""

import os
import shutil
import signal
import tempfile


def pytest_configure(config):
    # Tests stop `pestdata serve` with Ctrl+C (SIGINT), as a coordinator does. A run started
    # in the background (`cmd &`, nohup) inherits SIGINT ignored, and every server it started
    # would ignore Ctrl+C too; the tests' processes get it as a terminal gives it.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    folder = tempfile.mkdtemp(prefix="pestdata-test-")
    os.environ["PESTDATA_DB"] = f"sqlite:///{folder}/notebooks.sqlite"
    # What a run makes once for all its workers (tests/servers.made_once): the first process
    # (the only one, or the xdist controller, whose environment the workers inherit).
    from servers import SHARED_FOLDER  # tests/ is on the path (pyproject's pythonpath)

    if SHARED_FOLDER not in os.environ:
        config.shared_folder = tempfile.mkdtemp(prefix="pestdata-shared-")
        os.environ[SHARED_FOLDER] = config.shared_folder


def pytest_unconfigure(config):
    from servers import SHARED_FOLDER

    if getattr(config, "shared_folder", None):
        shutil.rmtree(config.shared_folder, ignore_errors=True)
        del os.environ[SHARED_FOLDER]


def pytest_addoption(parser):
    parser.addoption(
        "--stress",
        action="store_true",
        help="stress tests (-m stress) at full size, as scripts/test.sh and CI run them",
    )


# The slowest test files, with their seconds (measured with --durations on this 2-core
# machine, 2026-12-05). scripts/test.sh runs two workers that each take whole files
# (--dist loadfile) in collection order (--no-loadscope-reorder): xdist's own order hands out
# files with the fewest tests last, and the slowest files have few tests, so one worker ran
# test_culling's 46 s alone while the other had finished. Slowest first, the rest after in
# their usual order; a figure that is out of date costs balance, never a result.
SLOWEST_FILES = {
    "tests/ui/test_browser.py": 64,
    "tests/ui/test_hostile_browser.py": 42,
    "tests/web/test_kernels.py": 40,
    "tests/registers/test_large_files.py": 35,
    "tests/web/test_terminal.py": 34,
    "tests/web/test_signin.py": 32,
    "tests/web/test_server.py": 28,
    "tests/web/test_culling.py": 27,
    "tests/db/test_concurrency.py": 27,
    "tests/ui/test_accessibility.py": 24,
    "tests/web/test_signin_browser.py": 23,
    "tests/ui/test_daily_round_browser.py": 19,
    "tests/documents/test_parent_evening.py": 18,
    "tests/db/test_facts.py": 18,
    "tests/overview/test_disclosure_attack.py": 17,
    "tests/web/test_roles.py": 15,
    "tests/ui/test_import_browser.py": 15,
    "tests/web/test_secrets.py": 14,
    "tests/ui/test_slides_browser.py": 13,
    "tests/db/test_store.py": 13,
    "tests/overview/test_analytics.py": 13,
    "tests/db/test_files.py": 12,
    "tests/registers/test_io.py": 12,
    "tests/db/test_maintenance.py": 12,
    "tests/test_wheel.py": 11,
    "tests/core/test_names.py": 11,
}


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: -SLOWEST_FILES.get(item.nodeid.split("::")[0], 0))
