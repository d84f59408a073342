"""Stream one data file in ~16 MB blocks; clean lines go to Arrow, dirty lines to Python.

A block (cut at a line end) is *clean* when a byte-level check passes: TAB count ==
(fields − 1) × lines, no NUL, ASCII only, no stray CR. Clean blocks are parsed by
``pyarrow.csv`` (no quoting, all strings, only the known columns). Otherwise the block is split
into lines and only the lines failing the same check per line are decoded and repaired in
Python (:mod:`asylumstats.ingest.repair`). Each block yields an Arrow table of raw strings
(one column per known table column, db names) plus the quarantined lines with their physical
line numbers (header = line 1). Empty lines hold no data and are not counted as rows.

Hostile input: a file whose lines end with CR alone is read as if they ended with LF; a line
longer than :data:`MAX_LINE` bytes is never held whole in memory: it is quarantined in pieces
of that size, all with its line number (it counts as one quarantined row), the first
:data:`MAX_PIECES` of them stored and the line's full length recorded; a header whose
width does not match most of the first rows is refused, so that no row is loaded shifted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from asylumstats.errors import UserError
from asylumstats.ingest.repair import Rejected, Repairer
from asylumstats.ingest.tables import LOOKUPS, Column, TableSpec
from asylumstats.ingest.values import Rule, decode, parses_int
from asylumstats.release.archive import Stream
from asylumstats.sqlnames import quote_ident, quote_literal

#: The column added to every block's table: the row's physical line number (header = 1).
LINE = "_line"
BLOCK_SIZE = 16 * 1024 * 1024
SUB_BLOCK = 64 * 1024
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
    """Rows of one block: raw strings to load, and quarantined lines."""

    table: pa.Table | None
    rows: int  # data rows seen in this block
    repaired: int = 0
    quarantine: list[tuple[int, str, str]] = field(default_factory=list)  # line, raw, reason
    nbytes: int = 0
    pieces: int = 0  # quarantine entries that continue an over-long line (not new rows)
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, raw

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
        w = self.header.width
        self._fnames = [f"f{i}" for i in range(w)]
        self._include = [f"f{self.header.positions[c.name]}" for c in self.known]
        self._db_names = [c.db_name for c in self.known]
        self._id_names = [c.db_name for c in self.known if c.kind == "id"]
        self._nullable_ids = {c.db_name for c in self.known if c.kind == "id" and c.nullable}
        self._parse = pacsv.ParseOptions(
            delimiter="\t",
            quote_char=False,
            escape_char=False,
            double_quote=False,
            newlines_in_values=False,
            ignore_empty_lines=True,
        )
        self._convert = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in self._include},
            include_columns=self._include,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        )
        self._schema = pa.schema([*((n, pa.string()) for n in self._db_names), (LINE, pa.int64())])
        self._typed = [c for c in self.known if c.kind in ("date", "int")]
        self._checker: duckdb.DuckDBPyConnection | None = None
        self._long_bytes = 0  # length so far of the over-long line being read

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema of every block's table (raw strings, db column names, ``_line``)."""
        return self._schema

    def _find_invalid(self, block: Block) -> None:
        """Values of date and number columns that are not blank or a null token and that the
        load's casts cannot read: kept in ``block.invalid`` (the row itself is loaded).

        The check runs the same ``TRY_CAST`` as the load, in a private in-memory DuckDB."""
        t = block.table
        if t is None or not t.num_rows or not self._typed:
            return
        if self._checker is None:
            self._checker = duckdb.connect(config={"threads": 1, "memory_limit": "256MB"})
        parts = []
        for c in self._typed:
            col = quote_ident(c.db_name)
            target = "TIMESTAMP" if c.kind == "date" else "BIGINT"
            zero = f" AND trim({col}, '0-:. ') <> ''" if c.kind == "date" else ""
            parts.append(
                f"SELECT {quote_ident(LINE)}, {quote_literal(c.name)}, {col} FROM _b "
                f"WHERE {col} NOT IN ('', 'N/A', 'b6') AND ltrim(trim({col}), '?') <> ''"
                f" AND TRY_CAST({col} AS {target}) IS NULL{zero}"
            )
        con = self._checker
        con.register("_b", t)
        try:
            block.invalid = [tuple(r) for r in con.execute(" UNION ALL ".join(parts)).fetchall()]
        finally:
            con.unregister("_b")
        block.invalid.sort(key=lambda r: r[0])

    def _with_lines(self, table: pa.Table, line_nos: Sequence[int] | range) -> pa.Table:
        if isinstance(line_nos, range):
            arr = pa.array(np.arange(line_nos.start, line_nos.stop, dtype=np.int64))
        else:
            arr = pa.array(line_nos, pa.int64())
        return table.append_column(LINE, arr)

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
            yield self._block(pending + b"\n", line_no, 1)
        if self._checker is not None:
            self._checker.close()
            self._checker = None

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

    def _clean(self, data: bytes, nlines: int) -> bool:
        """Byte-level check: every line has the header's field count, ASCII, no NUL or CR."""
        return (
            data.count(b"\t") == (self.header.width - 1) * nlines
            and b"\x00" not in data
            and data.isascii()
            and data.count(b"\r") == data.count(b"\r\n")
        )

    def _block(self, blk: bytes, first_line: int, nlines: int) -> Block:
        if self._clean(blk, nlines):
            table = self._arrow(blk)
            if table is not None and table.num_rows == nlines:
                lines = range(first_line, first_line + nlines)
                out = Block(self._with_lines(table, lines), nlines, nbytes=len(blk))
                self._check_ids(out, blk, lines)
                self._find_invalid(out)
                return out
        # Dirty: check ~64 KB pieces; only the dirty pieces are split into lines.
        pieces: list[tuple[bytes, int, int]] = []  # data, first line, lines
        pos, line = 0, first_line
        while pos < len(blk):
            end = blk.find(b"\n", min(pos + SUB_BLOCK, len(blk) - 1)) + 1
            piece = blk[pos:end]
            n = piece.count(b"\n")
            pieces.append((piece, line, n))
            pos, line = end, line + n
        out = self._slow_block(pieces, len(blk))
        self._find_invalid(out)
        return out

    def _slow_block(
        self, pieces: list[tuple[bytes, int, int]], nbytes: int, by_line: bool = False
    ) -> Block:
        w1 = self.header.width - 1
        good: list[bytes] = []
        good_nos: list[int] = []
        dirty_rows: list[list[str | None]] = []
        dirty_nos: list[int] = []
        out = Block(None, 0, nbytes=nbytes)
        for piece, first_line, n in pieces:
            if not by_line and self._clean(piece, n):
                good.append(piece)
                good_nos.extend(range(first_line, first_line + n))
                out.rows += n
                continue
            lines = piece.split(b"\n")
            lines.pop()  # after the final newline
            for i, raw_line in enumerate(lines):
                body = raw_line[:-1] if raw_line.endswith(b"\r") else raw_line
                if not body:
                    continue  # empty line: no data
                out.rows += 1
                if len(body) > MAX_LINE:
                    stored = range(0, min(len(body), MAX_LINE * MAX_PIECES), MAX_LINE)
                    for k in stored:
                        piece = decode(body[k : k + MAX_LINE])
                        reason = self._long_reason(k // MAX_LINE + 1)
                        out.quarantine.append((first_line + i, piece, reason))
                        out.pieces += k > 0
                    if len(body) > MAX_LINE * MAX_PIECES:
                        out.quarantine.append((first_line + i, "", self._long_total(len(body))))
                        out.pieces += 1
                    continue
                if (
                    body.count(b"\t") == w1
                    and body.isascii()
                    and b"\x00" not in body
                    and b"\r" not in body
                ):
                    good.append(body + b"\n")
                    good_nos.append(first_line + i)
                    continue
                text = decode(body)
                result = self.repairer.repair(text.split("\t"))
                if isinstance(result, Rejected):
                    out.quarantine.append((first_line + i, text, result.reason))
                    continue
                out.repaired += result.repaired
                pos = self.header.positions
                dirty_rows.append([self._clean_text(result.row[pos[c.name]]) for c in self.known])
                dirty_nos.append(first_line + i)
        parts: list[pa.Table] = []
        if good:
            data = b"".join(good)
            t = self._arrow(data)
            if t is None or t.num_rows != len(good_nos):
                # A piece passed the byte check only because a long and a short line (or an
                # empty line) cancelled out: check every line of every piece instead.
                if by_line:  # pragma: no cover - every line was checked: cannot happen
                    raise RuntimeError(f"{self.file}: Arrow rejected pre-checked lines")
                return self._slow_block(pieces, nbytes, by_line=True)
            tmp = Block(self._with_lines(t, good_nos), len(good_nos))
            self._check_ids(tmp, data, good_nos)
            out.quarantine.extend(tmp.quarantine)
            if tmp.table is not None:
                parts.append(tmp.table)
        if dirty_rows:
            cols = list(zip(*dirty_rows, strict=True))
            arrays = [pa.array(c, pa.string()) for c in cols]
            arrays.append(pa.array(dirty_nos, pa.int64()))
            parts.append(pa.table(arrays, schema=self._schema))
        if parts:
            out.table = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        out.quarantine.sort(key=lambda q: q[0])  # stable: pieces keep their order
        return out

    def _arrow(self, data: bytes) -> pa.Table | None:
        try:
            t = pacsv.read_csv(
                pa.BufferReader(data),
                read_options=pacsv.ReadOptions(
                    column_names=self._fnames, block_size=1 << 26, use_threads=True
                ),
                parse_options=self._parse,
                convert_options=self._convert,
            )
        except pa.ArrowInvalid:
            return None
        return t.select(self._include).rename_columns(self._db_names)

    @staticmethod
    def _clean_text(v: str | None) -> str | None:
        return v.strip(" \t\r") if v is not None else None

    def _check_ids(self, block: Block, data: bytes, line_nos: Sequence[int]) -> None:
        """Quarantine rows of ``block.table`` whose id columns are not integers."""
        t = block.table
        if t is None or not self._id_names:
            return
        ok = None
        for name in self._id_names:
            col = t.column(name)
            good = pc.and_(pc.ascii_is_decimal(col), pc.less_equal(pc.binary_length(col), 18))
            if name in self._nullable_ids:
                good = pc.or_(good, pc.equal(col, ""))
            ok = good if ok is None else pc.and_(ok, good)
        assert ok is not None
        if pc.all(ok).as_py():
            return
        # Rare: re-check the suspicious rows with the exact rule (spaces, minus sign).
        bad_idx = pc.indices_nonzero(pc.invert(ok)).to_pylist()
        lines = data.split(b"\n")
        mask = [True] * t.num_rows
        for idx in bad_idx:
            row = {n: t.column(n)[idx].as_py() for n in self._id_names}
            wrong = [
                n
                for n, v in row.items()
                if not parses_int((v or "").strip())
                and not (n in self._nullable_ids and not (v or "").strip())
            ]
            if not wrong:
                continue
            mask[idx] = False
            name = self.spec.column(wrong[0]).name
            v = row[wrong[0]]
            shown = "blank" if not (v or "").strip() else repr(v)
            raw = decode(lines[idx].rstrip(b"\r"))
            block.quarantine.append((line_nos[idx], raw, f"{name} is not an integer ({shown})"))
        if not all(mask):
            block.table = t.filter(pa.array(mask))


class _CROnly:
    """A stream whose CR line ends (alone or before LF) are read as LF."""

    def __init__(self, raw: Stream) -> None:
        self._raw = raw

    def read(self, n: int = -1, /) -> bytes:
        data = self._raw.read(n)
        if data.endswith(b"\r"):
            data += self._raw.read(1)  # keep a CR LF pair in one read
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
