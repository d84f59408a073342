"""Value rules: byte decoding, null tokens, per-column validity (for repair) and the SQL casts.

Decoding is Windows-1252 with the five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
mapped as Latin-1, after stripping NULs, so it never fails. The same null-token and typing
rules are applied to every row by one SQL expression per column (:func:`sql_expr`), whether
the row came through the fast Arrow path or was repaired in Python.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from asylumstats.ingest.tables import Column

_UNDEFINED_CP1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _decoding_table() -> str:
    chars = []
    for b in range(256):
        if b in _UNDEFINED_CP1252:
            chars.append(chr(b))
        else:
            chars.append(bytes([b]).decode("cp1252"))
    return "".join(chars)


DECODING_TABLE = _decoding_table()


def decode(raw: bytes) -> str:
    """Strip NULs and decode cp1252 (undefined bytes as Latin-1); never raises."""
    return codecs.charmap_decode(raw.replace(b"\x00", b""), "strict", DECODING_TABLE)[0]


NULL_TOKENS = frozenset({"", "N/A", "b6"})
_INT_RE = re.compile(r"-?[0-9]{1,18}")
_DATE_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?: ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,6})?)?"
)


def is_null_token(t: str, keep: frozenset[str] = frozenset()) -> bool:
    """``t`` (already trimmed) means NULL: blank, ``N/A``, ``b6`` or all-``?`` not in ``keep``."""
    return t in NULL_TOKENS or (t.strip("?") == "" and t not in keep)


def parses_int(t: str) -> bool:
    return _INT_RE.fullmatch(t) is not None


def parses_date(t: str) -> bool:
    m = _DATE_RE.fullmatch(t)
    if m is None:
        return False
    try:
        datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    if m.group(4) is not None:
        return int(m.group(4)) < 24 and int(m.group(5)) < 60 and int(m.group(6)) < 60
    return True


@cache
def _specific(pattern: str) -> bool:
    """Whether a match of ``pattern`` says much: it rejects some single capital letter (so
    ``[A-Z]``, which any one-letter code matches, is not specific, while ``[YN]`` is)."""
    return any(re.fullmatch(pattern, ch) is None for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True)
class Rule:
    """How one header position is validated during repair (``column`` None = unknown column)."""

    column: Column | None
    codes: frozenset[str] = frozenset()  # the column's lookup codes (empty: no lookup loaded)
    keep: frozenset[str] = frozenset()  # all-``?`` tokens that are real codes

    def check(self, v: str | None) -> int:
        """-1 if ``v`` cannot be this column's value; 1 if it is positively recognised as one
        (a code of the column's lookup, a value matching the column's pattern, a date, an
        integer); 0 if it merely fits (blank, a null token, free text, a short code)."""
        col = self.column
        if col is None:
            return 0
        kind = col.kind
        t = v.strip() if v is not None else ""
        if kind == "id":
            if parses_int(t):
                return 1
            return 0 if (col.nullable and t == "") else -1
        if is_null_token(t, self.keep):
            return 0
        if kind == "int":
            return 1 if parses_int(t) else -1
        if kind == "date":
            if parses_date(t):
                return 1
            return 0 if t.strip("0-:. ") == "" else -1
        if kind in ("month", "year") and t.strip("0") == "":
            return 0
        if kind == "text":
            return 0
        if col.max_len is not None and len(t) > col.max_len:
            return -1
        if col.pattern is not None:
            if re.fullmatch(col.pattern, t) is None:
                return -1
            return 1 if _specific(col.pattern) else 0
        if self.codes and t in self.codes:
            return 1
        return 0


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


#: ``('', 'N/A', 'b6')``: the null tokens as an SQL list.
_NULL_SQL = "(" + ", ".join(_sql_str(t) for t in sorted(NULL_TOKENS)) + ")"


def sql_expr(col: Column, src: str | None, keep: frozenset[str] = frozenset()) -> str:
    """SQL turning raw string column ``src`` (quoted identifier; None = absent) into the value.

    Strings take a cheap path (equality and prefix/suffix tests) unless they start or end
    with a space or start with ``?`` (or ``0`` for months/years); only those are trimmed and
    checked for the all-``?`` / all-``0`` tokens.
    """
    if src is None:
        return f"CAST(NULL AS {col.db_type})"
    if col.kind in ("id", "int"):
        return f"TRY_CAST({src} AS BIGINT)"  # the cast ignores surrounding spaces
    if col.kind == "date":
        return f"TRY_CAST({src} AS TIMESTAMP)"
    t = f"trim({src})"
    conds = [f"{t} IN {_NULL_SQL}"]
    q = f"ltrim({t}, '?') = ''"
    if keep:
        q += f" AND {t} NOT IN ({', '.join(_sql_str(k) for k in sorted(keep))})"
    conds.append(q)
    odd = [f"prefix({src}, ' ')", f"suffix({src}, ' ')", f"prefix({src}, '?')"]
    if col.kind in ("month", "year"):
        conds.append(f"ltrim({t}, '0') = ''")
        odd.append(f"prefix({src}, '0')")
    slow = f"CASE WHEN {' OR '.join(conds)} THEN NULL ELSE {t} END"
    return (
        f"CASE WHEN {src} IN {_NULL_SQL} THEN NULL "
        f"WHEN NOT ({' OR '.join(odd)}) THEN {src} ELSE {slow} END"
    )


def invalid_sql(col: Column, src: str) -> str:
    """SQL giving the raw value of the date or number column ``src`` when it is not blank, a
    null token or all ``?`` (or, for a date, all zeros) and :func:`sql_expr`'s cast cannot
    read it; else NULL. Such a value is kept in ``invalid_values``; its row is loaded."""
    zero = f" AND trim({src}, '0-:. ') <> ''" if col.kind == "date" else ""
    return (
        f"CASE WHEN {src} NOT IN {_NULL_SQL} AND ltrim(trim({src}), '?') <> ''"
        f" AND TRY_CAST({src} AS {col.db_type}) IS NULL{zero} THEN {src} END"
    )
