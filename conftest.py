"""Every test run gets its own SQLite file; nothing touches data/pestdata.sqlite.

The notebook kernels that nbval starts inherit this environment (see docs/VOILA-NOTES.md).
"""

import os
import tempfile


def pytest_configure(config):
    folder = tempfile.mkdtemp(prefix="pestdata-test-")
    os.environ["PESTDATA_DB"] = f"sqlite:///{folder}/notebooks.sqlite"


def pytest_addoption(parser):
    parser.addoption(
        "--stress",
        action="store_true",
        help="stress tests (-m stress) at full size, as scripts/test.sh and CI run them",
    )
