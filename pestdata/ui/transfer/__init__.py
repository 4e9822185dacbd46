"""Import and export in the care team's page: upload, check per row, store, download.

The tab 'Import en export' holds the import (import_tab.py: upload a file, see per row what
would happen, answer what the check cannot decide alone, then store) and the export
(export_tab.py: download the log as Excel).
"""
