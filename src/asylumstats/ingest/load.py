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
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from asylumstats.errors import UserError
from asylumstats.ingest import keys
from asylumstats.ingest.lookups import parse_lookup
from asylumstats.ingest.progress import Progress
from asylumstats.ingest.report import IngestReport, TableReport
from asylumstats.ingest.table_load import insert_rows, load_table, quarantine_table
from asylumstats.ingest.tables import ALL_DATA_TABLES
from asylumstats.release import Release, open_release
from asylumstats.releases.store import fold_wal, keep_and_swap
from asylumstats.sqlnames import quote_ident as _q

# DuckDB's buffer pool while loading and building the model (DuckDB's default is 80 % of RAM;
# past the limit it spills to a temporary folder next to the database). 1GB halved the load
# speed at 4 M rows; without a limit the model build alone took 3.4 GB at 3 M cases.
LOAD_MEMORY_LIMIT = os.environ.get("ASYLUMSTATS_MEMORY_LIMIT", "1GB")
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
                work = Path(f"{tmp}.work")
                work.mkdir()
                try:
                    report = _build(con, rel, db_path, progress, work)
                finally:
                    shutil.rmtree(work, ignore_errors=True)
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


_TMP_SUFFIXES = ("", ".wal", ".work")


def _remove_db(path: Path) -> None:
    for suffix in _TMP_SUFFIXES:
        _remove(Path(f"{path}{suffix}"))


def _remove(p: Path) -> bool:
    """Remove a file or a folder (the ingest's work folder); False when it cannot be."""
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        else:
            p.unlink()
    except FileNotFoundError:
        return False
    except OSError:  # pragma: no cover - a folder made unwritable meanwhile
        return False
    return True


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
        if _remove(p):
            removed.append(p)
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
    con: duckdb.DuckDBPyConnection, rel: Release, db_path: Path, show: bool, work: Path
) -> IngestReport:
    # Rows are stored in insertion order: a row's rowid maps back to its line number.
    con.execute("SET preserve_insertion_order = true")
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
            tr = load_table(con, rel, spec, member, codes, bar, work)
            tr.count_txt = rel.count_for(spec.stem)
            report.tables[spec.stem] = tr
    # Data tables first, then lookups, in the report.
    report.tables = dict(sorted(report.tables.items(), key=lambda kv: kv[1].kind != "data"))
    loaded = {spec.db_name for spec in ALL_DATA_TABLES if spec.stem in rel.tables}
    keys.parent_bitmaps(con, ALL_DATA_TABLES, loaded)
    for spec in ALL_DATA_TABLES:
        if spec.stem in rel.tables:
            report.tables[spec.stem].orphans = keys.orphans(con, spec, loaded)
    keys.drop_bitmaps(con)
    _write_meta(con, rel, report)
    con.execute("SET preserve_insertion_order = false")
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
        insert_rows(con, lk.table_name, lk.arrow())
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


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection, stem: str, rows: list[tuple[int, str, str]]
) -> None:
    if not rows:
        return
    insert_rows(con, "quarantine", quarantine_table(stem, rows))


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
