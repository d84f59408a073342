"""Build the database from a release, atomically: ``ingest_release(source, db_path)``.

Everything is written into ``<db>.tmp-<pid>`` next to the target: lookups, then the data
tables in ``ALL_DATA_TABLES`` order (blocks parsed in a helper thread while the main thread
inserts the previous block with one typed ``INSERT … SELECT``), quarantine, orphan counts,
``ingest_report``, ``release_info``, then ``asylumstats.model.build(con)``. After a checkpoint
the file is moved onto the target with ``os.replace``; a different release found there is
kept beside it (``releases.store.keep_and_swap``). On any error, Ctrl-C or a full disk the
temporary file is deleted and the previous database is left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from asylumstats.errors import UserError
from asylumstats.ingest.blocks import LINE, TableReader
from asylumstats.ingest.lookups import parse_lookup
from asylumstats.ingest.progress import Progress
from asylumstats.ingest.report import IngestReport, TableReport
from asylumstats.ingest.tables import ALL_DATA_TABLES, TableSpec
from asylumstats.ingest.values import sql_expr
from asylumstats.release import Release, open_release
from asylumstats.releases.store import fold_wal, keep_and_swap
from asylumstats.sqlnames import quote_ident as _q

T = TypeVar("T")
# DuckDB's buffer pool while loading and building the model (DuckDB's default is 80 % of RAM;
# past the limit it spills to a temporary folder next to the database). 1GB halved the load
# speed at 4 M rows; without a limit the model build alone took 3.4 GB at 3 M cases.
LOAD_MEMORY_LIMIT = os.environ.get("ASYLUMSTATS_MEMORY_LIMIT", "2GB")
#: Spilled quarantine rows are inserted (and checkpointed) this many bytes at a time.
SPILL_CHUNK = 32 * 1024 * 1024
#: The largest lookup file read (the largest real one is well under 1 MB).
LOOKUP_MAX = 64 * 1024 * 1024


def ingest_release(source: Path, db_path: Path, *, progress: bool | None = None) -> IngestReport:
    """Ingest the release at ``source`` (zip or folder) into the DuckDB file ``db_path``.

    ``progress``: Rich progress bars on stderr (None = only when stderr is a terminal).
    Raises ``UserError`` for unusable input; the previous database is then untouched.
    """
    source, db_path = Path(source), Path(db_path)
    started = time.monotonic()
    if progress is None:
        progress = sys.stderr.isatty()
    with open_release(source) as rel:
        check_target(db_path, source)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"Cannot create the folder {db_path.parent} ({exc.strerror}).") from exc
        remove_stale_temporaries(db_path)
        tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
        _remove_db(tmp)
        try:
            con = _connect(tmp, db_path)
            try:
                report = _build(con, rel, db_path, progress, Path(f"{tmp}.quarantine"))
                _build_model(con, progress)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            # The release at db_path is kept beside it (releases.store), not thrown away.
            with signals_deferred():  # the commit: all of it, or none of it
                report.db_path = str(keep_and_swap(tmp, db_path, _swap))
        except BaseException as exc:
            _remove_db(tmp)
            problem = _write_problem(exc)
            if isinstance(exc, duckdb.OutOfMemoryException):
                problem = f"DuckDB ran out of memory (limit {LOAD_MEMORY_LIMIT})"
            if problem:
                raise UserError(
                    f"Cannot build {db_path}: {problem}; the previous database is unchanged."
                ) from exc
            raise
    report.seconds = time.monotonic() - started
    return report


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while the finished database is moved into place; one that
    arrives meanwhile is dropped, since the ingest has then completed (main thread only)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        for sig in held & signal.sigpending():
            signal.sigtimedwait([sig], 0)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _build_model(con: duckdb.DuckDBPyConnection, show: bool) -> None:
    """Build the derived tables, with a spinner on a terminal (it takes a while at scale)."""
    from asylumstats import model

    def build() -> None:
        try:
            model.build(con)
        except duckdb.OutOfMemoryException:
            # An operator that cannot spill under the bounded pool: retry with DuckDB's
            # default limit (the model tables are created with CREATE OR REPLACE).
            con.execute("RESET memory_limit")
            model.build(con)

    if not show:
        build()
        return
    from rich.console import Console

    started = time.monotonic()
    console = Console(stderr=True)
    with console.status("Building the model tables (asylum decisions, appeals, backlog)…"):
        build()
    console.print(f"Model tables built in {time.monotonic() - started:.1f} s.")


_WRITE_PROBLEMS: tuple[tuple[int, str, str], ...] = (
    (errno.ENOSPC, "No space left", "not enough disk space"),
    (errno.EFBIG, "File too large", "the file would exceed the size limit for files"),
    (errno.EROFS, "Read-only file system", "the file system is read-only"),
    (errno.EACCES, "Permission denied", "permission denied"),
    (errno.EDQUOT, "Disk quota exceeded", "the disk quota is exceeded"),
)


def _write_problem(exc: BaseException) -> str | None:
    """A short description of a failure to write the database file, else None."""
    for code, text, said in _WRITE_PROBLEMS:
        if isinstance(exc, OSError) and exc.errno == code:
            return said
        if isinstance(exc, duckdb.Error) and text in str(exc):
            return said
    return None


def _connect(tmp: Path, db_path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(tmp))
    except duckdb.Error as exc:
        problem = _write_problem(exc) or "the file cannot be created"
        raise UserError(f"Cannot write a database next to {db_path}: {problem}.") from exc


_TMP_SUFFIXES = ("", ".wal", ".quarantine", ".quarantine.values")


def _remove_db(path: Path) -> None:
    for suffix in _TMP_SUFFIXES:
        try:
            Path(f"{path}{suffix}").unlink()
        except FileNotFoundError:
            pass
        except OSError:  # pragma: no cover - a folder made unwritable meanwhile
            pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temporaries(db_path: Path) -> list[Path]:
    """Remove ``<db>.tmp-<pid>`` files of processes that no longer run; return them."""
    removed: list[Path] = []
    prefix = f"{db_path.name}.tmp-"
    try:
        entries = list(db_path.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        if not p.name.startswith(prefix):
            continue
        pid_text = p.name[len(prefix) :]
        for suffix in _TMP_SUFFIXES[1:]:
            pid_text = pid_text.removesuffix(suffix)
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _pid_alive(int(pid_text)):
            continue
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


#: The first bytes of a DuckDB database file: 8 bytes of checksum, then the magic ``DUCK``.
_DUCKDB_MAGIC = b"DUCK"


def check_target(db_path: Path, source: Path) -> None:
    """Refuse a ``--db`` that is not a database asylumstats may replace."""
    if db_path.is_dir():
        raise UserError(f"{db_path} is a folder, not a database file.")
    if not db_path.exists():
        return
    if source.exists() and db_path.resolve() == source.resolve():
        raise UserError(f"{db_path} is the release itself; give another --db to write to.")
    try:
        with open(db_path, "rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        raise UserError(f"{db_path} cannot be read ({exc.strerror or exc}).") from exc
    if not head:
        return  # an empty file holds nothing to lose
    if head[8:12] != _DUCKDB_MAGIC:
        raise UserError(
            f"{db_path} exists and is not an asylumstats database; it is not replaced "
            "(give another --db)."
        )
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise UserError(f"{db_path} is in use by another process; stop it first.") from exc
        raise UserError(
            f"{db_path} exists and cannot be opened as a DuckDB database; it is not replaced."
        ) from exc
    try:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'release_info'"
        ).fetchone()
    finally:
        con.close()
    if not found or not found[0]:
        raise UserError(
            f"{db_path} is a DuckDB database not built by asylumstats; it is not replaced "
            "(give another --db)."
        )


def _swap(tmp: Path, target: Path) -> None:
    """Move the finished file onto ``target``; fold or drop the old database's WAL first."""
    fold_wal(target)
    tmp_wal = Path(f"{tmp}.wal")
    if tmp_wal.exists() and tmp_wal.stat().st_size == 0:
        tmp_wal.unlink()
    os.replace(tmp, target)


# -- building ------------------------------------------------------------------------------


def _build(
    con: duckdb.DuckDBPyConnection, rel: Release, db_path: Path, show: bool, spill: Path
) -> IngestReport:
    con.execute("SET preserve_insertion_order = false")
    # Loaded rows are written to the file; a bounded buffer pool keeps peak memory flat.
    con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
    con.execute(
        "CREATE TABLE quarantine (table_name VARCHAR, line_number BIGINT, raw_text VARCHAR, "
        "reason VARCHAR)"
    )
    con.execute(
        "CREATE TABLE invalid_values (table_name VARCHAR, line_number BIGINT, "
        "column_name VARCHAR, raw_text VARCHAR)"
    )
    report = IngestReport(
        release=rel.name,
        release_date=rel.release_date,
        synthetic=rel.synthetic,
        source=str(rel.source.resolve()),
        db_path=str(db_path),
    )
    report.warnings.extend(rel.warnings)
    with Progress(show) as bar:
        codes = _load_lookups(con, rel, report)
        for spec in ALL_DATA_TABLES:
            member = rel.tables.get(spec.stem)
            if member is None:
                continue
            tr = _load_table(con, rel, spec, member, codes, bar, spill)
            tr.count_txt = rel.count_for(spec.stem)
            report.tables[spec.stem] = tr
    # Data tables first, then lookups, in the report.
    report.tables = dict(sorted(report.tables.items(), key=lambda kv: kv[1].kind != "data"))
    loaded = {spec.db_name for spec in ALL_DATA_TABLES if spec.stem in rel.tables}
    for spec in ALL_DATA_TABLES:
        if spec.stem in rel.tables:
            report.tables[spec.stem].orphans = _orphans(con, spec, loaded)
    _write_meta(con, rel, report)
    return report


def _load_lookups(
    con: duckdb.DuckDBPyConnection, rel: Release, report: IngestReport
) -> dict[str, frozenset[str]]:
    codes: dict[str, frozenset[str]] = {}
    taken = {spec.db_name for spec in ALL_DATA_TABLES} | {
        "quarantine",
        "ingest_report",
        "release_info",
    }
    for stem, member in sorted(rel.lookups.items(), key=lambda kv: kv[0].lower()):
        if stem.lower() in taken:
            continue
        taken.add(stem.lower())
        with rel.archive.open(member) as fh:
            data = fh.read(LOOKUP_MAX + 1)
        if len(data) > LOOKUP_MAX:
            report.warnings.append(
                f"{member} is larger than {LOOKUP_MAX:,} bytes, far larger than any EOIR "
                "lookup; it was not loaded."
            )
            continue
        lk = parse_lookup(stem, data)
        if not lk.columns:
            continue
        cols = ", ".join(f"{_q(c)} VARCHAR" for c in lk.columns)
        con.execute(f"CREATE TABLE {_q(lk.table_name)} ({cols})")
        tbl = lk.arrow()
        if tbl.num_rows:
            con.register("_lookup", tbl)
            con.execute(f"INSERT INTO {_q(lk.table_name)} SELECT * FROM _lookup")
            con.unregister("_lookup")
        _insert_quarantine(con, stem, lk.quarantine)
        codes[stem.lower()] = lk.codes()
        report.tables[stem] = TableReport(
            stem=stem,
            file=member,
            table_name=lk.table_name,
            kind="lookup",
            rows_in_file=lk.rows_in_file,
            loaded=len(lk.rows),
            repaired=lk.repaired,
            quarantined=len(lk.quarantine),
            count_txt=rel.count_for(stem),
        )
    return codes


def _load_table(
    con: duckdb.DuckDBPyConnection,
    rel: Release,
    spec: TableSpec,
    member: str,
    codes: Mapping[str, frozenset[str]],
    bar: Progress,
    spill_path: Path,
) -> TableReport:
    tr = TableReport(stem=spec.stem, file=member, table_name=spec.db_name)
    cols = ", ".join(f"{_q(c.db_name)} {c.db_type}" for c in spec.columns)
    con.execute(f"CREATE TABLE {_q(spec.db_name)} ({cols}, {_q(LINE)} BIGINT)")
    with rel.archive.open(member) as stream:
        reader = TableReader(spec, stream, member, codes)
        tr.missing_columns = list(reader.header.missing)
        tr.unknown_columns = list(reader.header.unknown)
        rules = {r.column.name: r for r in reader.header.rules if r.column is not None}
        exprs = []
        for c in spec.columns:
            src = _q(c.db_name) if c.name in reader.header.positions else None
            keep = rules[c.name].keep if c.name in rules else frozenset()
            exprs.append(f"{sql_expr(c, src, keep)} AS {_q(c.db_name)}")
        exprs.append(_q(LINE))
        insert = f"INSERT INTO {_q(spec.db_name)} SELECT {', '.join(exprs)} FROM _blk"
        task = bar.add(spec.stem, rel.archive.size(member))
        spill = _Spill(spill_path, spec.stem, "quarantine", _QUARANTINE_SCHEMA)
        invalid = _Spill(Path(f"{spill_path}.values"), spec.stem, "invalid_values", _INVALID_SCHEMA)
        failure: list[BaseException] = []

        def batches() -> Iterator[pa.RecordBatch]:
            # Pulled by DuckDB while it runs the one INSERT; blocks are read ahead in a thread.
            try:
                for block in _prefetch(reader.blocks()):
                    tr.rows_in_file += block.rows
                    tr.repaired += block.repaired
                    tr.quarantined += block.quarantined
                    spill.add(block.quarantine)
                    invalid.add(block.invalid)
                    tr.invalid_values += len(block.invalid)
                    bar.advance(task, block.nbytes, block.rows)
                    if block.table is not None and block.table.num_rows:
                        tr.loaded += block.table.num_rows
                        yield from block.table.to_batches()
            except BaseException as exc:  # DuckDB would only see a string
                failure.append(exc)
                raise

        source = pa.RecordBatchReader.from_batches(reader.schema, batches())
        con.register("_blk", source)
        try:
            con.execute(insert)
        except BaseException:
            if failure:
                raise failure[0] from None
            raise
        finally:
            con.unregister("_blk")
        spill.insert_into(con)
        invalid.insert_into(con)
        bar.finish(task)
    _resolve_duplicates(con, spec, tr)
    con.execute(f"ALTER TABLE {_q(spec.db_name)} DROP COLUMN {_q(LINE)}")
    if tr.loaded + tr.quarantined != tr.rows_in_file:  # pragma: no cover - an internal bug
        raise RuntimeError(f"{spec.stem}: loaded + quarantined != rows in file")
    return tr


_QUARANTINE_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("line_number", pa.int64()),
        ("raw_text", pa.string()),
        ("reason", pa.string()),
    ]
)


_INVALID_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("line_number", pa.int64()),
        ("column_name", pa.string()),
        ("raw_text", pa.string()),
    ]
)


def _quarantine_table(
    stem: str, rows: list[tuple[int, str, str]], schema: pa.Schema = _QUARANTINE_SCHEMA
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


class _Spill:
    """Side rows of one table (quarantined rows, invalid values), written to an Arrow IPC
    file as they come and inserted into ``table`` at the end."""

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
        self._writer.write_table(_quarantine_table(self.stem, rows, self.schema))

    def insert_into(self, con: duckdb.DuckDBPyConnection) -> None:
        """Insert the spilled rows in chunks of about :data:`SPILL_CHUNK` bytes; after a full
        chunk a checkpoint writes them out, so that memory stays flat whatever their size."""
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
                        self._insert(con, batches)
                        con.execute("CHECKPOINT")
                        batches, size = [], 0
                self._insert(con, batches)
        finally:
            self.path.unlink(missing_ok=True)

    def _insert(self, con: duckdb.DuckDBPyConnection, batches: list[pa.RecordBatch]) -> None:
        if not batches:
            return
        con.register("_spill", pa.Table.from_batches(batches, self.schema))
        try:
            con.execute(f"INSERT INTO {_q(self.table)} SELECT * FROM _spill")
        finally:
            con.unregister("_spill")


#: Examples of duplicate keys named in the warning.
DUPLICATE_EXAMPLES = 5


def _resolve_duplicates(con: duckdb.DuckDBPyConnection, spec: TableSpec, tr: TableReport) -> None:
    """Rows whose primary key repeats one earlier in the file: the first row in the file is
    kept; the later ones are moved to the quarantine (their values as loaded, TAB-separated)."""
    t, key = _q(spec.db_name), _q(spec.column(spec.key).db_name)
    row = con.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM {t}").fetchone()
    if not row or not row[0]:
        return
    line = _q(LINE)
    values = ", ".join(f"coalesce(CAST({_q(c.db_name)} AS VARCHAR), '')" for c in spec.columns)
    con.execute(
        f"CREATE TEMP TABLE _dups AS SELECT * FROM (SELECT {key} AS k, {line} AS line, "
        f"min({line}) OVER (PARTITION BY {key}) AS first_line, concat_ws(chr(9), {values}) AS raw "
        f"FROM {t} WHERE {key} IN (SELECT {key} FROM {t} GROUP BY {key} HAVING count(*) > 1)) "
        "WHERE line > first_line"
    )
    try:
        con.execute(
            "INSERT INTO quarantine SELECT ?, line, raw, "
            f"'duplicate {spec.key} ' || k || ': the row at line ' || first_line || "
            "' (the first in the file) is kept; values as loaded' FROM _dups",
            [spec.stem],
        )
        con.execute(f"DELETE FROM {t} WHERE {line} IN (SELECT line FROM _dups)")
        count = con.execute("SELECT count(*) FROM _dups").fetchone()
        examples = con.execute(
            f"SELECT DISTINCT k FROM _dups ORDER BY k LIMIT {DUPLICATE_EXAMPLES}"
        ).fetchall()
    finally:
        con.execute("DROP TABLE _dups")
    n = int(count[0]) if count else 0
    tr.duplicates = n
    tr.duplicate_examples = [int(r[0]) for r in examples]
    tr.loaded -= n
    tr.quarantined += n


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection, stem: str, rows: list[tuple[int, str, str]]
) -> None:
    if not rows:
        return
    tbl = _quarantine_table(stem, rows)
    con.register("_quarantine", tbl)
    con.execute("INSERT INTO quarantine SELECT * FROM _quarantine")
    con.unregister("_quarantine")


def _orphans(con: duckdb.DuckDBPyConnection, spec: TableSpec, loaded: set[str]) -> int:
    conds = [
        f"(c.{_q(p.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {_q(p.table)} p "
        f"WHERE p.{_q(p.parent_column)} = c.{_q(p.column)}))"
        for p in spec.parents
        if p.table in loaded
    ]
    if not conds:
        return 0
    sql = f"SELECT count(*) FROM {_q(spec.db_name)} c WHERE {' OR '.join(conds)}"
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _write_meta(con: duckdb.DuckDBPyConnection, rel: Release, report: IngestReport) -> None:
    con.execute(
        "CREATE TABLE ingest_report (table_name VARCHAR, file VARCHAR, rows_in_file BIGINT, "
        "loaded BIGINT, repaired BIGINT, quarantined BIGINT, orphans BIGINT, count_txt BIGINT, "
        "invalid_values BIGINT, duplicates BIGINT)"
    )
    rows = report.rows()
    if rows:
        con.executemany("INSERT INTO ingest_report VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE ingest_warnings (message VARCHAR)")
    warnings = report.all_warnings()
    if warnings:
        con.executemany("INSERT INTO ingest_warnings VALUES (?)", [(w,) for w in warnings])
    from asylumstats import __version__

    info: dict[str, Any] = {
        "release": rel.name,
        "synthetic": "true" if rel.synthetic else "false",
        "source": report.source,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "asylumstats_version": __version__,
    }
    if rel.release_date is not None:
        info["release_date"] = rel.release_date.isoformat()
    con.execute("CREATE TABLE release_info (key VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO release_info VALUES (?, ?)", list(info.items()))


# -- a one-block read-ahead thread ---------------------------------------------------------


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


def _prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Run ``items`` in a helper thread, ``depth`` items ahead of the consumer."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer
            put(_Failed(exc))

    th = threading.Thread(target=run, name="asylumstats-read", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        th.join()
