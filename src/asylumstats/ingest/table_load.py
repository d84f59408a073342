"""Load one data table: clean lines through DuckDB's own CSV reader, the rest from Python.

A read-ahead thread reads the file's blocks (:class:`asylumstats.ingest.blocks.TableReader`:
decompression, the vectorised line check, repair of dirty lines) and writes the runs of clean
lines, byte for byte, into chunk files of about :data:`CHUNK_BYTES` in a temporary folder next
to the database. Meanwhile the main thread hands each finished chunk to DuckDB's parallel CSV
reader in one typed ``INSERT … SELECT … FROM read_csv(…)`` (every field read as text, then cast
by the same SQL expressions as repaired rows), then inserts the chunk's repaired rows from
Arrow. DuckDB never sees a line the check did not pass, so its reader is strict: a line it
would skip or pad is an error, and the rows it inserts must equal the clean lines written.

Rows are inserted in file order, so a row's ``rowid`` maps back to its line number
(:class:`RowLines`). Hidden columns are computed in the same pass and dropped at the
end: ``_raw`` (the whole line, for the rare row whose id is not plain digits; Python then
decides with the exact rule and quarantines it), and one ``_inv_<column>`` per date or number
column holding a value the cast cannot read (kept in ``invalid_values``; the row is loaded).
Then rows whose key repeats an earlier line are moved to the quarantine (the first wins).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb
import numpy as np
import pyarrow as pa

from asylumstats.ingest import keys
from asylumstats.ingest.blocks import BLOCK_SIZE, LINE, TableReader
from asylumstats.ingest.prefetch import ReadAhead, prefetch
from asylumstats.ingest.progress import Progress
from asylumstats.ingest.report import TableReport
from asylumstats.ingest.tables import Column, TableSpec
from asylumstats.ingest.values import invalid_sql, sql_expr
from asylumstats.release import Release
from asylumstats.sqlnames import quote_ident as _q
from asylumstats.sqlnames import quote_literal

#: Clean bytes per chunk file (one ``INSERT … FROM read_csv`` each). Three chunks at most are
#: on disk at once: one loading, one waiting, one being written.
CHUNK_BYTES = 128 * 1024 * 1024
#: Examples of duplicate keys named in the warning.
DUPLICATE_EXAMPLES = 5
#: Hidden columns (dropped once the table is loaded).
RAW = "_raw"
INVALID_PREFIX = "_inv_"
#: The longest line DuckDB's reader may meet (clean lines are at most ``MAX_LINE`` bytes).
_MAX_LINE_SIZE = 1 << 20

QUARANTINE_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("line_number", pa.int64()),
        ("raw_text", pa.string()),
        ("reason", pa.string()),
    ]
)
INVALID_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("line_number", pa.int64()),
        ("column_name", pa.string()),
        ("raw_text", pa.string()),
    ]
)
#: Spilled side rows are inserted (and checkpointed) this many bytes at a time.
SPILL_CHUNK = 32 * 1024 * 1024


def quarantine_table(
    stem: str, rows: list[tuple[int, str, str]], schema: pa.Schema = QUARANTINE_SCHEMA
) -> pa.Table:
    """``(line, text, text)`` rows of ``stem`` as a table of ``schema``."""
    return pa.table(
        [
            pa.array([stem] * len(rows), pa.string()),
            pa.array([r[0] for r in rows], pa.int64()),
            pa.array([r[1] for r in rows], pa.string()),
            pa.array([r[2] for r in rows], pa.string()),
        ],
        schema=schema,
    )


class Spill:
    """Side rows of one table (quarantined rows), written to an Arrow IPC file as they come
    and inserted into ``table`` at the end, so that memory stays flat whatever their number."""

    def __init__(self, path: Path, stem: str, table: str, schema: pa.Schema) -> None:
        self.path = path
        self.stem = stem
        self.table = table
        self.schema = schema
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None

    def add(self, rows: list[tuple[int, str, str]]) -> None:
        if not rows:
            return
        if self._writer is None:
            self._writer = pa.ipc.new_stream(str(self.path), self.schema)
        self._writer.write_table(quarantine_table(self.stem, rows, self.schema))

    def insert_into(self, con: duckdb.DuckDBPyConnection) -> None:
        """Insert the spilled rows in chunks of about :data:`SPILL_CHUNK` bytes; after a full
        chunk a checkpoint writes them out."""
        if self._writer is None:
            return
        self._writer.close()
        self._writer = None
        try:
            with pa.ipc.open_stream(str(self.path)) as reader:
                batches: list[pa.RecordBatch] = []
                size = 0
                for batch in reader:
                    batches.append(batch)
                    size += batch.nbytes
                    if size >= SPILL_CHUNK:
                        insert_rows(con, self.table, pa.Table.from_batches(batches, self.schema))
                        con.execute("CHECKPOINT")
                        batches, size = [], 0
                if batches:
                    insert_rows(con, self.table, pa.Table.from_batches(batches, self.schema))
        finally:
            self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table) -> Iterator[None]:
    """``rows`` visible to the connection's SQL as the view ``name`` for the block's length."""
    con.register(name, rows)
    try:
        yield
    finally:
        con.unregister(name)


def _rowids(rowids: list[int]) -> pa.Table:
    return pa.table({"r": pa.array(rowids, pa.int64())})


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Append an Arrow table to ``table`` (same columns, same order)."""
    if not rows.num_rows:
        return
    with registered(con, "_rows", rows):
        con.execute(f"INSERT INTO {_q(table)} SELECT * FROM _rows")


class RowLines:
    """Maps the ``rowid`` of a loaded row to its line number: rows are inserted in runs of
    consecutive lines (a run of clean lines, or one repaired row)."""

    def __init__(self) -> None:
        self._rowid0: list[int] = []
        self._line0: list[int] = []
        self.rows = 0

    def add_runs(self, runs: list[tuple[int, int]]) -> None:
        for line0, n in runs:
            self._rowid0.append(self.rows)
            self._line0.append(line0)
            self.rows += n

    def add_lines(self, lines: np.ndarray) -> None:
        self.add_runs([(int(x), 1) for x in lines])

    def lines(self, rowids: list[int]) -> list[int]:
        if not rowids:
            return []
        starts = np.asarray(self._rowid0, dtype=np.int64)
        firsts = np.asarray(self._line0, dtype=np.int64)
        r = np.asarray(rowids, dtype=np.int64)
        i = np.searchsorted(starts, r, side="right") - 1
        return (firsts[i] + (r - starts[i])).tolist()


# -- SQL ------------------------------------------------------------------------------------


def _id_suspect(col: Column, src: str) -> str:
    """True for a value that may not be an integer id (anything but 1–18 plain digits, or a
    blank required id); the exact rule then decides in Python."""
    blank = "false" if col.nullable else "true"
    return (
        f"CASE WHEN {src} IS NULL THEN {blank} "
        f"WHEN length({src}) <= 18 AND ltrim({src}, '0123456789') = '' THEN false ELSE true END"
    )


@dataclass
class _Plan:
    """The table's columns and the two INSERT statements (from CSV, from Arrow)."""

    columns: list[str]  # target columns, hidden ones last
    typed: list[Column]  # known date/number columns (one ``_inv_`` column each)
    from_csv: str
    from_arrow: str


def _plan(spec: TableSpec, reader: TableReader) -> _Plan:
    rules = {r.column.name: r for r in reader.header.rules if r.column is not None}
    known = reader.header.positions
    values = []
    for c in spec.columns:
        src = _q(c.db_name) if c.name in known else None
        keep = rules[c.name].keep if c.name in rules else frozenset()
        values.append(sql_expr(c, src, keep))
    typed = [c for c in spec.columns if c.name in known and c.kind in ("date", "int")]
    invalid = [invalid_sql(c, _q(c.db_name)) for c in typed]
    ids = [c for c in spec.columns if c.name in known and c.kind == "id"]
    if ids:
        suspect = " OR ".join(_id_suspect(c, _q(c.db_name)) for c in ids)
        whole = ", ".join(f"coalesce({_q(n)}, '')" for n in reader.csv_names)
        raw = f"CASE WHEN {suspect} THEN concat_ws(chr(9), {whole}) END"
    else:
        raw = "CAST(NULL AS VARCHAR)"
    hidden = [RAW, *(INVALID_PREFIX + c.db_name for c in typed)]
    columns = [*(c.db_name for c in spec.columns), *hidden]
    target = f"INSERT INTO {_q(spec.db_name)} ({', '.join(_q(c) for c in columns)}) "
    csv_columns = ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in reader.csv_names)
    # Every field as text ('' read as NULL, which every expression treats as blank); a line
    # of another width would be an error (strict), but none reaches the reader.
    read = (
        "read_csv(?, delim = '\\t', quote = '', escape = '', header = false, "
        f"auto_detect = false, columns = {{{csv_columns}}}, strict_mode = true, "
        f"null_padding = false, ignore_errors = false, max_line_size = {_MAX_LINE_SIZE})"
    )
    from_csv = f"{target}SELECT {', '.join([*values, raw, *invalid])} FROM {read}"
    arrow_items = [*values, "CAST(NULL AS VARCHAR)", *invalid]
    from_arrow = f"{target}SELECT {', '.join(arrow_items)} FROM _repaired"
    return _Plan(columns, typed, from_csv, from_arrow)


# -- the read-ahead side ----------------------------------------------------------------------


@dataclass
class _Chunk:
    """Clean lines written to ``path`` (None: none) and the repaired rows read with them."""

    path: Path | None
    runs: list[tuple[int, int]] = field(default_factory=list)  # (first line, lines)
    repaired: list[pa.Table] = field(default_factory=list)

    @property
    def clean_rows(self) -> int:
        return sum(n for _, n in self.runs)


def _chunks(
    reader: TableReader, folder: Path, tr: TableReport, bar: Progress, task: int, spill: Spill
) -> Iterator[_Chunk]:
    """Read the file's blocks; yield chunks of clean lines (in files) and repaired rows."""
    serial = 0
    fh: IO[bytes] | None = None
    chunk = _Chunk(None)
    for block in reader.blocks():
        tr.rows_in_file += block.rows
        tr.repaired += block.repaired
        tr.quarantined += block.quarantined
        spill.add(block.quarantine)
        bar.advance(task, block.nbytes, block.rows)
        if block.clean:
            if fh is None:
                serial += 1
                chunk.path = folder / f"{reader.spec.db_name}-{serial}.tsv"
                fh = open(chunk.path, "wb")  # noqa: SIM115 - closed when the chunk is full
            for piece in block.clean:
                fh.write(piece)
            chunk.runs.extend(block.runs)
        if block.table is not None and block.table.num_rows:
            chunk.repaired.append(block.table)
        if fh is not None and fh.tell() >= CHUNK_BYTES:
            fh.close()
            fh = None
            yield chunk
            chunk = _Chunk(None)
    if fh is not None:
        fh.close()
    if chunk.path is not None or chunk.repaired:
        yield chunk


def _load_chunk(
    con: duckdb.DuckDBPyConnection, plan: _Plan, reader: TableReader, chunk: _Chunk
) -> int:
    """Insert a chunk file's clean lines with DuckDB's CSV reader; return the rows."""
    assert chunk.path is not None
    got = con.execute(plan.from_csv, [str(chunk.path)]).fetchall()
    inserted = int(got[0][0]) if got else 0
    if inserted != chunk.clean_rows:  # pragma: no cover - an internal bug
        raise RuntimeError(
            f"{reader.spec.stem}: DuckDB read {inserted:,} rows of {chunk.clean_rows:,} "
            "checked lines"
        )
    return inserted


# -- the table -----------------------------------------------------------------------------


def load_table(
    con: duckdb.DuckDBPyConnection,
    rel: Release,
    spec: TableSpec,
    member: str,
    codes: Mapping[str, frozenset[str]],
    bar: Progress,
    work: Path,
) -> TableReport:
    """Load ``member`` into ``spec``'s table; quarantined rows and invalid values too."""
    tr = TableReport(stem=spec.stem, file=member, table_name=spec.db_name)
    with rel.archive.open(member) as raw:
        stream = ReadAhead(raw, BLOCK_SIZE)
        try:
            reader = TableReader(spec, stream, member, codes)
            tr.missing_columns = list(reader.header.missing)
            tr.unknown_columns = list(reader.header.unknown)
            plan = _plan(spec, reader)
            cols = [f"{_q(c.db_name)} {c.db_type}" for c in spec.columns]
            hidden = [f"{_q(c)} VARCHAR" for c in plan.columns[len(spec.columns) :]]
            con.execute(f"CREATE TABLE {_q(spec.db_name)} ({', '.join(cols + hidden)})")
            task = bar.add(spec.stem, rel.archive.size(member))
            # One transaction per table: one commit instead of one per chunk (measured: about
            # a tenth less time at 1 M cases). On failure the connection and file are dropped.
            con.execute("BEGIN TRANSACTION")
            rows = _insert_all(con, reader, plan, work, tr, bar, task)
            con.execute("COMMIT")
            bar.finish(task)
        finally:
            stream.close()
    _finish(con, spec, reader, plan, rows, tr)
    if tr.loaded + tr.quarantined != tr.rows_in_file:  # pragma: no cover - an internal bug
        raise RuntimeError(
            f"{spec.stem}: loaded {tr.loaded:,} + quarantined {tr.quarantined:,} "
            f"!= rows in file {tr.rows_in_file:,}"
        )
    return tr


def _insert_all(
    con: duckdb.DuckDBPyConnection,
    reader: TableReader,
    plan: _Plan,
    work: Path,
    tr: TableReport,
    bar: Progress,
    task: int,
) -> RowLines:
    """Insert every chunk (clean lines, then the repaired rows read with them), in order."""
    spec = reader.spec
    spill = Spill(work / f"{spec.db_name}.quarantine", spec.stem, "quarantine", QUARANTINE_SCHEMA)
    rows = RowLines()
    for chunk in prefetch(_chunks(reader, work, tr, bar, task, spill), depth=1):
        if chunk.path is not None:
            try:
                _load_chunk(con, plan, reader, chunk)
            finally:
                chunk.path.unlink(missing_ok=True)
            rows.add_runs(chunk.runs)
        if chunk.repaired:
            repaired = pa.concat_tables(chunk.repaired)
            with registered(con, "_repaired", repaired):
                con.execute(plan.from_arrow)
            rows.add_lines(repaired.column(LINE).to_numpy())
    tr.loaded = rows.rows
    spill.insert_into(con)
    return rows


def _finish(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    reader: TableReader,
    plan: _Plan,
    rows: RowLines,
    tr: TableReport,
) -> None:
    """Quarantine rows with a non-integer id and repeated keys, keep the invalid values, then
    drop the hidden columns. Every rowid is read before the one DELETE, so they stay valid."""
    table = _q(spec.db_name)
    quarantine: list[tuple[int, str, str]] = []
    drop: list[int] = []
    found = con.execute(
        f"SELECT rowid, {_q(RAW)} FROM {table} WHERE {_q(RAW)} IS NOT NULL"
    ).fetchall()
    for (rowid, raw), line in zip(found, rows.lines([r[0] for r in found]), strict=True):
        reason = reader.bad_id(raw)
        if reason is not None:
            quarantine.append((line, raw, reason))
            drop.append(rowid)
    _invalid_values(con, spec, plan, rows, drop, tr)
    dup_rows, dup_ids = _duplicates(con, spec, rows, drop, tr)
    quarantine.extend(dup_rows)
    drop.extend(dup_ids)
    if drop:
        with registered(con, "_drop", _rowids(drop)):
            con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT r FROM _drop)")
    quarantine.sort(key=lambda q: q[0])
    insert_rows(con, "quarantine", quarantine_table(spec.stem, quarantine))
    tr.loaded -= len(drop)
    tr.quarantined += len(drop)
    for c in plan.columns[len(spec.columns) :]:
        con.execute(f"ALTER TABLE {table} DROP COLUMN {_q(c)}")


def _invalid_values(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    plan: _Plan,
    rows: RowLines,
    drop: list[int],
    tr: TableReport,
) -> None:
    """Keep the unreadable date and number values of loaded rows in ``invalid_values``, in
    line order (then column order)."""
    if not plan.typed:
        return
    parts = []
    for i, c in enumerate(plan.typed):
        col = _q(INVALID_PREFIX + c.db_name)
        parts.append(
            f"SELECT rowid AS r, {i} AS k, {quote_literal(c.name)} AS c, {col} AS v "
            f"FROM {_q(spec.db_name)} WHERE {col} IS NOT NULL"
        )
    found = con.execute(" UNION ALL ".join(parts)).fetchall()
    dropped = set(drop)
    found = [f for f in found if f[0] not in dropped]
    if not found:
        return
    lines = rows.lines([f[0] for f in found])
    values = sorted((line, k, c, v) for line, (_, k, c, v) in zip(lines, found, strict=True))
    insert_rows(
        con,
        "invalid_values",
        quarantine_table(spec.stem, [(ln, c, v) for ln, _, c, v in values], INVALID_SCHEMA),
    )
    tr.invalid_values += len(values)


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    rows: RowLines,
    drop: list[int],
    tr: TableReport,
) -> tuple[list[tuple[int, str, str]], list[int]]:
    """Rows whose key repeats one earlier in the file (among rows not already dropped): the
    first in the file is kept; the later ones are quarantined with their values as loaded.
    Returns their quarantine rows and rowids."""
    if not keys.may_repeat(con, spec):
        return [], []
    table, key = _q(spec.db_name), _q(spec.column(spec.key).db_name)
    ok = "rowid NOT IN (SELECT r FROM _dropped)" if drop else "true"
    with registered(con, "_dropped", _rowids(drop)):
        found = con.execute(
            f"SELECT rowid, {key} FROM {table} WHERE {ok} AND {key} IN "
            f"(SELECT {key} FROM {table} WHERE {ok} GROUP BY {key} HAVING count(*) > 1)"
        ).fetchall()
    if not found:
        return [], []
    lines = rows.lines([r for r, _ in found])
    first: dict[int, int] = {}
    for (_, k), line in zip(found, lines, strict=True):
        first[k] = min(line, first.get(k, line))
    later = [(r, k, ln) for (r, k), ln in zip(found, lines, strict=True) if ln > first[k]]
    values = ", ".join(f"coalesce(CAST({_q(c.db_name)} AS VARCHAR), '')" for c in spec.columns)
    with registered(con, "_later", _rowids([r for r, _, _ in later])):
        raw = dict(
            con.execute(
                f"SELECT rowid, concat_ws(chr(9), {values}) FROM {table} "
                "WHERE rowid IN (SELECT r FROM _later)"
            ).fetchall()
        )
    out = [
        (
            ln,
            raw[r],
            f"duplicate {spec.key} {k}: the row at line {first[k]} (the first in the file) is "
            "kept; values as loaded",
        )
        for r, k, ln in later
    ]
    tr.duplicates = len(later)
    tr.duplicate_examples = sorted({k for _, k, _ in later})[:DUPLICATE_EXAMPLES]
    return out, [r for r, _, _ in later]
