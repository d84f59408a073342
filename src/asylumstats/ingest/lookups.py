"""Parse lookup files (small; quote-aware per field) and load each as an all-VARCHAR table.

Lookups are TAB-delimited with a header and may double-quote values. A file is split into
lines first (LF, CR LF or CR alone), then each line into fields; a field wrapped in double
quotes is unquoted (``""`` inside → ``"``). A stray quote therefore stays inside its field and
never swallows the lines after it, and the rows counted are the file's own non-empty lines
after the header. NULs are stripped,
bytes decoded as cp1252, values trimmed (blank → NULL), column names lower-cased (blank or
duplicate names get a ``column<i>`` / ``_<i>`` name). Rows longer than the header whose
surplus fields are blank are trimmed; any other long row is quarantined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

from asylumstats.ingest.tables import LOOKUPS
from asylumstats.ingest.values import decode

_CODE_COLUMN = {s.stem.lower(): s.code.lower() for s in LOOKUPS}


@dataclass
class LookupData:
    """A parsed lookup file."""

    stem: str
    columns: list[str]
    rows: list[list[str | None]]
    rows_in_file: int = 0
    repaired: int = 0
    quarantine: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def table_name(self) -> str:
        return self.stem.lower()

    def codes(self) -> frozenset[str]:
        """Trimmed codes of the lookup's code column (empty if unknown lookup)."""
        col = _CODE_COLUMN.get(self.stem.lower())
        if col is None or col not in self.columns:
            return frozenset()
        i = self.columns.index(col)
        return frozenset(r[i] for r in self.rows if r[i] is not None)

    def arrow(self) -> pa.Table:
        cols = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(self.columns)
        return pa.table([pa.array(list(c), pa.string()) for c in cols], names=self.columns)


def _names(header: list[str]) -> list[str]:
    out: list[str] = []
    for i, h in enumerate(header):
        name = h.strip().lower() or f"column{i}"
        while name in out:
            name = f"{name}_{i}"
        out.append(name)
    return out


def _decode_lookup(data: bytes) -> str:
    """A lookup file's text: UTF-16 when it has a UTF-16 byte-order mark; otherwise NULs
    stripped, then UTF-8 when the bytes are valid UTF-8, else cp1252 like the data tables."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").replace("\x00", "")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    data = data.replace(b"\x00", b"")
    if not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return decode(data)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _unquote(field: str) -> str:
    f = field.strip()
    if len(f) >= 2 and f[0] == '"' and f[-1] == '"':
        return f[1:-1].replace('""', '"')
    return field


def parse_lookup(stem: str, data: bytes) -> LookupData:
    """Parse one lookup file's bytes."""
    text = _decode_lookup(data)
    header: list[str] | None = None
    out = LookupData(stem, [], [])
    for i, raw_line in enumerate(_LINE_END.split(text)):
        line_no = i + 1
        fields = [_unquote(f) for f in raw_line.split("\t")]
        if header is None:
            if not any(f.strip() for f in fields):
                continue
            header = fields
            out.columns = _names(header)
            continue
        if not raw_line.strip():
            continue
        out.rows_in_file += 1
        width = len(out.columns)
        values: list[str | None] = [f.strip() or None for f in fields]
        if len(values) > width:
            extra = values[width:]
            if any(v is not None for v in extra):
                reason = f"{len(fields)} fields where the header has {width}"
                out.quarantine.append((line_no, raw_line, reason))
                continue
            values = values[:width]
            out.repaired += 1
        elif len(values) < width:
            values += [None] * (width - len(values))
            out.repaired += 1
        out.rows.append(values)
    return out
