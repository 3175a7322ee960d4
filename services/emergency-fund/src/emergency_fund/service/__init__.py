"""Use cases: one function per command, one unit of work per command."""
