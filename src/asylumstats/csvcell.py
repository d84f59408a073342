"""CSV cells safe to open in a spreadsheet (OWASP "CSV injection").

A text cell beginning with ``=``, ``+``, ``-``, ``@``, TAB or CR could be run as a formula by
a spreadsheet; it is written with a leading ``'``. Numbers are written as they are (a
negative rate is a number, not a formula). Used by ``--format csv`` and every web ``.csv``.
"""

from __future__ import annotations

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """``text`` with a ``'`` in front when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
