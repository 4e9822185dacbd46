"""The Voilà server: its command line, sign-in, the pages people open and the terminal.

Voilà reads notebooks with nbformat, which imports jsonschema, which imports `rfc3987_syntax`
when it is installed (jupyter-events asks for it). That module builds an Earley parser for
IRIs when imported: 1.3 s of CPU at every server start, a third of it. Nothing here checks
an IRI, so the web layer's processes refuse that import and jsonschema goes without the
check (it skips a format it has no checker for).
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)  # None: `import rfc3987_syntax` fails at once
