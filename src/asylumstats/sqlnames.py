"""Quoting for SQL identifiers and literals that come from the data or the file system.

Every table or column name read from a release (a lookup's header, a file stem) and every
path put into SQL goes through these two functions; user input reaches SQL only as bound
parameters.
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a single-quoted SQL string literal (embedded quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"
