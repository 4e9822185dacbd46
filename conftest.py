"""Every test run gets its own SQLite file; nothing touches data/pestdata.sqlite.

The notebook kernels that nbval starts inherit this environment (see docs/VOILA-NOTES.md).
"""

import os
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


def pytest_addoption(parser):
    parser.addoption(
        "--stress",
        action="store_true",
        help="stress tests (-m stress) at full size, as scripts/test.sh and CI run them",
    )
