"""Command-line commands (being written)."""
