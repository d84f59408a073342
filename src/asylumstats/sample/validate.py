"""Type checks and the repair candidates of a raw row, as the sample generator defines them.

The generator uses these to guarantee that every quirk has exactly the disposition the truth
manifest promises, and the tests use them to check the written files. The checks are the
*weakest* reasonable reading of ``ingest/tables.py`` (no lookup membership): a tab-shifted row
has exactly one repair even under them, and an unrepairable row has none.

Repair rules (in this order):
1. a row with as many fields as the header loads if every value is valid;
2. a short row is padded with NULLs;
3. a long row whose extra trailing fields are all blank or ``N/A`` has them dropped, if the
   result is valid;
4. a long row is merged back: the ``k`` extra fields are absorbed by ``text`` columns (the
   absorbed TABs kept as TAB characters inside the text value); if exactly one placement
   gives a valid row, that is the repair;
5. anything else is quarantined.
"""

from __future__ import annotations

import re
from itertools import combinations_with_replacement

from asylumstats.ingest.tables import Column, TableSpec

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?)?")
_ZEROS = re.compile(r"0+")
_QMARKS = re.compile(r"\?+")
NULL_TOKENS = frozenset({"N/A", "b6"})


def is_null_token(value: str) -> bool:
    """``N/A``, ``b6`` or all-``?`` (the lookup exception, e.g. ``??``, is handled by callers)."""
    return value in NULL_TOKENS or bool(_QMARKS.fullmatch(value))


def valid_value(col: Column, raw: str) -> bool:
    """Whether ``raw`` is an acceptable value (or null) for ``col``."""
    v = raw.replace("\x00", "").strip()
    kind = col.kind
    if v == "":
        return kind != "id" or col.nullable
    if kind == "id":
        return v.isdigit() and v.isascii()
    if kind == "int":
        return bool(re.fullmatch(r"-?[0-9]+", v))
    if kind == "text":
        return True
    if kind == "date":
        return bool(_ZEROS.fullmatch(v) or _DATE.fullmatch(v))
    if kind in ("month", "year") and _ZEROS.fullmatch(v):
        return True
    if kind == "code":
        if is_null_token(v):
            return True
        if col.max_len is not None and len(v) > col.max_len:
            return False
    if col.pattern is not None:
        return bool(re.fullmatch(col.pattern, v))
    return True


def valid_row(spec: TableSpec, fields: list[str]) -> bool:
    return len(fields) == len(spec.columns) and all(
        valid_value(c, f) for c, f in zip(spec.columns, fields, strict=True)
    )


def merge_candidates(spec: TableSpec, fields: list[str]) -> list[list[str]]:
    """Every placement of the extra fields into text columns, as repaired rows."""
    n = len(spec.columns)
    k = len(fields) - n
    if k <= 0:
        return []
    text_idx = [i for i, c in enumerate(spec.columns) if c.kind == "text"]
    out = []
    for combo in combinations_with_replacement(text_idx, k):
        extra = {i: combo.count(i) for i in set(combo)}
        row: list[str] = []
        src = 0
        for i in range(n):
            take = 1 + extra.get(i, 0)
            row.append("\t".join(fields[src : src + take]))
            src += take
        out.append(row)
    return out


def disposition(spec: TableSpec, fields: list[str]) -> tuple[str, list[str] | None]:
    """(``loaded`` | ``short_row`` | ``trailing`` | ``merged`` | ``quarantined``, values)."""
    n = len(spec.columns)
    if len(fields) == n:
        return ("loaded", fields) if valid_row(spec, fields) else ("quarantined", None)
    if len(fields) < n:
        padded = fields + [""] * (n - len(fields))
        return ("short_row", padded) if valid_row(spec, padded) else ("quarantined", None)
    tail = [f.replace("\x00", "").strip() for f in fields[n:]]
    if all(t in ("", "N/A") for t in tail) and valid_row(spec, fields[:n]):
        return "trailing", fields[:n]
    good = [r for r in merge_candidates(spec, fields) if valid_row(spec, r)]
    if len(good) == 1:
        return "merged", good[0]
    return "quarantined", None


#: Codes made only of ``?`` that are real codes of a lookup (not null tokens).
QMARK_CODES: dict[str, frozenset[str]] = {
    "tblLookupAlienNat": frozenset({"??"}),
    "tblLanguage": frozenset({"???"}),
}


def normalize(col: Column, raw: str) -> str:
    """The value a correct ingest stores, as a string (``''`` = NULL; dates as YYYY-MM-DD).

    NULs stripped, trimmed, null tokens and all-zero dates/months/years made NULL.
    """
    v = raw.replace("\x00", "").strip()
    if v == "":
        return ""
    kind = col.kind
    if kind == "code" and is_null_token(v):
        if not (_QMARKS.fullmatch(v) and v in QMARK_CODES.get(col.lookup or "", frozenset())):
            return ""
    if kind in ("date", "month", "year") and _ZEROS.fullmatch(v):
        return ""
    if kind == "date":
        return v[:10]
    return v
