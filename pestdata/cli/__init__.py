"""The `pestdata` command."""
