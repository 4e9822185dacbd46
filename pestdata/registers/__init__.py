"""A school's own files in and out: the import of a register and the export."""
