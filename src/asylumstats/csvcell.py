"""CSV cells safe to open in a spreadsheet (OWASP "CSV injection").

A text cell beginning with ``=``, ``+``, ``-``, ``@``, TAB or CR could be run as a formula by
a spreadsheet; it is written with a leading ``'``. Numbers are written as they are (a
negative rate is a number, not a formula). Used by ``--format csv`` and every web ``.csv``.
"""

from __future__ import annotations

from typing import Any

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """``text`` with a ``'`` in front when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    """A CSV cell: blank for null, ``true``/``false`` for booleans (as in JSON), a list as a
    comma list, text that would start a spreadsheet formula prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ",".join(map(str, value))
    if isinstance(value, str):
        return safe_text(value)
    return str(value)
