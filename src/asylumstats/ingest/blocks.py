"""Stream one data file in ~16 MB blocks; clean lines go to Arrow, dirty lines to Python.

Each block (cut at a line end) is checked line by line with numpy: a line is *clean* when it
has the header's TAB count, only ASCII bytes, no NUL and no CR but one before its LF. Runs of
clean lines are handed on as slices of the block, untouched, for DuckDB's own parallel CSV
reader (:mod:`asylumstats.ingest.table_load`); only the dirty lines are decoded and repaired in
Python (:mod:`asylumstats.ingest.repair`). Each block yields the clean runs with their first
line numbers, an Arrow table of repaired rows (raw strings, db column names, line numbers)
and the quarantined lines with their physical line numbers (header = line 1). Empty lines
hold no data and are not counted as rows.

Hostile input: a file whose lines end with CR alone is read as if they ended with LF; a line
longer than :data:`MAX_LINE` bytes is never held whole in memory: it is quarantined in pieces
of that size, all with its line number (it counts as one quarantined row), the first
:data:`MAX_PIECES` of them stored and the line's full length recorded; a header whose
width does not match most of the first rows is refused, so that no row is loaded shifted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from asylumstats.errors import UserError
from asylumstats.ingest.repair import Rejected, Repairer
from asylumstats.ingest.tables import LOOKUPS, Column, TableSpec
from asylumstats.ingest.values import Rule, decode
from asylumstats.release.archive import Stream

#: The column added to every block's table: the row's physical line number (header = 1).
LINE = "_line"
BLOCK_SIZE = 16 * 1024 * 1024
#: The longest line read as a row (real rows are under 2 KB); a longer line is quarantined in
#: pieces of this size, small enough for DuckDB to store and spill like any other row.
MAX_LINE = 64 * 1024
#: Pieces of an over-long line stored in the quarantine (1 MiB); the rest is only counted.
MAX_PIECES = 16
#: Rows of the first block compared with the header's width: at most, at least, and the
#: share of them with one other width that makes the header wrong.
WIDTH_SAMPLE = 1000
WIDTH_MIN_ROWS = 10
WIDTH_SHARE = 0.9
_LOOKUP_CODE = {s.stem.lower(): s.code for s in LOOKUPS}


@dataclass
class Header:
    """A data file's header mapped onto its :class:`TableSpec`."""

    names: list[str]  # raw header names, in file order
    positions: dict[str, int]  # spec column name -> header position
    rules: list[Rule]
    missing: list[str] = field(default_factory=list)  # optional spec columns not in the header
    unknown: list[str] = field(default_factory=list)  # header names of no spec column

    @property
    def width(self) -> int:
        return len(self.names)


@dataclass
class Block:
    """Rows of one block: runs of clean lines (bytes for DuckDB's CSV reader), repaired rows
    (raw strings with their line numbers) and quarantined lines."""

    table: pa.Table | None  # repaired rows, ``_line`` last
    rows: int  # data rows seen in this block
    repaired: int = 0
    quarantine: list[tuple[int, str, str]] = field(default_factory=list)  # line, raw, reason
    nbytes: int = 0
    pieces: int = 0  # quarantine entries that continue an over-long line (not new rows)
    #: Slices of the block, each a run of whole clean lines (LF-terminated), in file order.
    clean: list[memoryview] = field(default_factory=list)
    runs: list[tuple[int, int]] = field(default_factory=list)  # (first line, lines) per slice

    @property
    def clean_rows(self) -> int:
        return sum(n for _, n in self.runs)

    @property
    def quarantined(self) -> int:
        return len(self.quarantine) - self.pieces


def lookup_keep(codes: frozenset[str]) -> frozenset[str]:
    """Lookup codes that would otherwise look like a null token (all ``?``, e.g. ``??``)."""
    return frozenset(c for c in codes if c and c.strip("?") == "")


def parse_header(
    spec: TableSpec, raw: bytes, file: str, lookup_codes: Mapping[str, frozenset[str]]
) -> Header:
    """Map header names to the spec's columns (case-insensitive, aliases); check required ones."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if raw.startswith(bom):
            raw = raw[len(bom) :]
            break
    names = [n.strip() for n in decode(raw.rstrip(b"\r\n")).split("\t")]
    by_lower = {c.name.lower(): c for c in spec.columns}
    aliases = {k.lower(): v.lower() for k, v in spec.aliases.items()}
    positions: dict[str, int] = {}
    rules: list[Rule] = []
    unknown: list[str] = []
    for i, name in enumerate(names):
        key = name.lower()
        col = by_lower.get(key) or by_lower.get(aliases.get(key, ""))
        if col is None or col.name in positions:
            rules.append(Rule(None))
            if name:
                unknown.append(name)
            continue
        positions[col.name] = i
        codes = lookup_codes.get(col.lookup.lower(), frozenset()) if col.lookup else frozenset()
        rules.append(Rule(col, codes, lookup_keep(codes)))
    for col in spec.columns:
        if col.required and col.name not in positions:
            raise UserError(f"{file} has no {col.name} column, which {spec.stem} requires.")
    missing = [c.name for c in spec.columns if c.name not in positions]
    return Header(names, positions, rules, missing, unknown)


class TableReader:
    """Reads one data file's blocks after its header."""

    def __init__(
        self,
        spec: TableSpec,
        stream: Stream,
        file: str,
        lookup_codes: Mapping[str, frozenset[str]],
        block_size: int = BLOCK_SIZE,
    ) -> None:
        self.spec = spec
        self.stream = stream
        self.file = file
        self.block_size = block_size
        first = self._read_header_line()
        self.header = parse_header(spec, first, file, lookup_codes)
        self.repairer = Repairer(self.header.rules)
        self.known: list[Column] = [c for c in spec.columns if c.name in self.header.positions]
        names = [c.db_name for c in self.known]
        by_pos = {self.header.positions[c.name]: c.db_name for c in self.known}
        #: A name per header position for DuckDB's CSV reader: the db name of a known column,
        #: ``_u<position>`` for the others (db names are lower-case header names: no clash).
        self.csv_names = [by_pos.get(i, f"_u{i}") for i in range(self.header.width)]
        self._schema = pa.schema([*((n, pa.string()) for n in names), (LINE, pa.int64())])
        self._long_bytes = 0  # length so far of the over-long line being read

    def bad_id(self, raw: str) -> str | None:
        """Why the line ``raw`` (a clean line: the header's field count) must be quarantined
        for an id that is not an integer, or None."""
        return self.repairer.bad_id(raw.split("\t"))

    def _read_header_line(self) -> bytes:
        buf = b""
        while len(buf) <= MAX_LINE:
            chunk = self.stream.read(1 << 16)
            if not chunk:
                break
            buf += chunk
            if b"\n" in buf or b"\r" in buf[:-1]:
                break
        if not buf.replace(b"\x00", b"").strip():
            raise UserError(f"{self.file} is empty: a data table needs at least a header row.")
        lf, cr = buf.find(b"\n"), buf.find(b"\r")
        if cr >= 0 and (lf < 0 or cr < lf) and buf[cr + 1 : cr + 2] != b"\n":
            # Lines end with CR alone: read the file as if they ended with LF.
            self.stream = _CROnly(self.stream)
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        head, sep, rest = buf.partition(b"\n")
        if len(head) > MAX_LINE:
            raise UserError(
                f"{self.file} starts with a line longer than {MAX_LINE:,} bytes, "
                "which cannot be a header row."
            )
        self._pending = rest
        return head.replace(b"\x00", b"")

    def blocks(self) -> Iterator[Block]:
        """Yield :class:`Block`s in file order."""
        line_no = 2
        pending = self._pending
        done = 0  # > 0: inside an over-long line, that many pieces already quarantined
        checked = False
        while True:
            chunk = self.stream.read(self.block_size)
            if not chunk:
                break
            pending += chunk
            if done:
                end = pending.find(b"\n")
                if end < 0:
                    blk, done, pending = self._long_pieces(pending, line_no, done)
                    yield blk
                    continue
                blk, _, _ = self._long_pieces(pending[:end], line_no, done, final=True)
                yield blk
                pending, done, line_no = pending[end + 1 :], 0, line_no + 1
            cut = pending.rfind(b"\n")
            if cut >= 0:
                blk, pending = pending[: cut + 1], pending[cut + 1 :]
                if not checked:
                    self._check_width(blk)
                    checked = True
                nlines = blk.count(b"\n")
                yield self._block(blk, line_no, nlines)
                line_no += nlines
            if len(pending) > MAX_LINE:
                blk, done, pending = self._long_pieces(pending, line_no, 0)
                yield blk
        if done:
            yield self._long_pieces(pending, line_no, done, final=True)[0]
        elif pending:
            if not checked:
                self._check_width(pending)
            if not pending.endswith(b"\n"):
                pending += b"\n"
            yield self._block(pending, line_no, pending.count(b"\n"))

    def _long_pieces(
        self, data: bytes, line_no: int, done: int, final: bool = False
    ) -> tuple[Block, int, bytes]:
        """Quarantine ``MAX_LINE`` pieces of an over-long line (all of it when ``final``);
        return the block, the pieces seen so far and the rest of ``data``. Only the first
        :data:`MAX_PIECES` pieces are stored; the line's full length is in the last row."""
        out = Block(None, 0 if done else 1)
        if not done:
            self._long_bytes = 0
        pos = 0
        while len(data) - pos > MAX_LINE or (final and pos < len(data.rstrip(b"\r"))):
            piece = data[pos : pos + MAX_LINE]
            if done < MAX_PIECES:
                out.quarantine.append((line_no, decode(piece), self._long_reason(done + 1)))
            self._long_bytes += len(piece)
            done += 1
            pos += MAX_LINE
        if final and done > MAX_PIECES:
            out.quarantine.append((line_no, "", self._long_total(self._long_bytes)))
        out.nbytes = min(pos, len(data)) + final
        out.pieces = len(out.quarantine) - out.rows
        return out, done, data[pos:]

    @staticmethod
    def _long_reason(piece: int) -> str:
        return f"line longer than {MAX_LINE:,} bytes; piece {piece}, in file order"

    @staticmethod
    def _long_total(nbytes: int) -> str:
        return (
            f"line longer than {MAX_LINE:,} bytes: {nbytes:,} bytes in all, of which only the "
            f"first {MAX_PIECES} pieces are stored"
        )

    def _check_width(self, blk: bytes) -> None:
        """Refuse a header whose width differs from that of nearly all the first rows (a column
        added to or dropped from the header only): padding or repairing every row would then
        load values one column off. A few odd rows are left to the per-row checks."""
        counts: dict[int, int] = {}
        for ln in blk.split(b"\n", WIDTH_SAMPLE)[:WIDTH_SAMPLE]:
            if ln.strip(b"\r"):
                n = ln.count(b"\t") + 1
                counts[n] = counts.get(n, 0) + 1
        total = sum(counts.values())
        if total < WIDTH_MIN_ROWS:
            return
        width = self.header.width
        common = max(counts, key=lambda k: counts[k])
        if common == width or counts[common] < WIDTH_SHARE * total:
            return
        raise UserError(
            f"{self.file}: the header has {width} fields but {counts[common]:,} of the first "
            f"{total:,} rows have {common}; the header does not describe the rows, so the "
            "table is not loaded."
        )

    # -- one block -------------------------------------------------------------------------

    def _block(self, blk: bytes, first_line: int, nlines: int) -> Block:
        """Split a block (whole lines, the last ending with LF) into runs of clean lines, kept
        as slices of ``blk`` for DuckDB's CSV reader, and dirty lines, repaired or
        quarantined in Python. The per-line check is vectorised (numpy): a line is clean
        when it has the header's TAB count, only ASCII bytes, no NUL, no CR but the one
        before its LF, and at most :data:`MAX_LINE` bytes; an empty line holds no row."""
        a = np.frombuffer(blk, dtype=np.uint8)
        ends = np.flatnonzero(a == 10)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        tabs = np.flatnonzero(a == 9)
        per_line = np.diff(np.searchsorted(tabs, ends), prepend=0)
        length = ends - starts  # a CR before the LF included
        bad = (per_line != self.header.width - 1) | (length > MAX_LINE)
        odd = []
        if not blk.isascii():
            odd.append(np.flatnonzero(a >= 128))
        if b"\x00" in blk:
            odd.append(np.flatnonzero(a == 0))
        cr = np.flatnonzero(a == 13)
        if len(cr):
            odd.append(cr[a[cr + 1] != 10])  # a CR never ends a block: an LF does
        for pos in odd:
            if len(pos):
                bad[np.searchsorted(ends, pos)] = True
        empty = (length == 0) | ((length == 1) & (a[starts] == 13))
        clean = ~bad & ~empty
        out = Block(None, nlines - int(empty.sum()), nbytes=len(blk))
        # Runs of consecutive clean lines: [run_start, run_end) line indexes.
        edges = np.flatnonzero(np.diff(clean.astype(np.int8), prepend=0, append=0))
        view = memoryview(blk)
        for i, j in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            out.clean.append(view[int(starts[i]) : int(ends[j - 1]) + 1])
            out.runs.append((first_line + i, j - i))
        dirty = np.flatnonzero(bad & ~empty).tolist()
        if dirty:
            lines = [(first_line + i, blk[int(starts[i]) : int(ends[i])]) for i in dirty]
            self._dirty(out, lines)
        return out

    def _dirty(self, out: Block, lines: list[tuple[int, bytes]]) -> None:
        """Repair or quarantine dirty lines (without their LF); repaired rows go to
        ``out.table`` with their line numbers."""
        rows: list[list[str | None]] = []
        nos: list[int] = []
        pos = self.header.positions
        for line_no, raw_line in lines:
            body = raw_line[:-1] if raw_line.endswith(b"\r") else raw_line
            if len(body) > MAX_LINE:
                stored = range(0, min(len(body), MAX_LINE * MAX_PIECES), MAX_LINE)
                for k in stored:
                    piece = decode(body[k : k + MAX_LINE])
                    out.quarantine.append((line_no, piece, self._long_reason(k // MAX_LINE + 1)))
                    out.pieces += k > 0
                if len(body) > MAX_LINE * MAX_PIECES:
                    out.quarantine.append((line_no, "", self._long_total(len(body))))
                    out.pieces += 1
                continue
            text = decode(body)
            result = self.repairer.repair(text.split("\t"))
            if isinstance(result, Rejected):
                out.quarantine.append((line_no, text, result.reason))
                continue
            out.repaired += result.repaired
            rows.append([self._clean_text(result.row[pos[c.name]]) for c in self.known])
            nos.append(line_no)
        if rows:
            cols = list(zip(*rows, strict=True))
            arrays = [pa.array(c, pa.string()) for c in cols]
            arrays.append(pa.array(nos, pa.int64()))
            out.table = pa.table(arrays, schema=self._schema)

    @staticmethod
    def _clean_text(v: str | None) -> str | None:
        return v.strip(" \t\r") if v is not None else None


class _CROnly:
    """A stream whose CR line ends (alone or before LF) are read as LF."""

    def __init__(self, raw: Stream) -> None:
        self._raw = raw

    def read(self, n: int = -1, /) -> bytes:
        data = self._raw.read(n)
        if data.endswith(b"\r"):
            data += self._raw.read(1)  # keep a CR LF pair in one read
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
