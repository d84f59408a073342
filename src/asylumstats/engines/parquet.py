"""Export the database's tables as Parquet (one ``<table>.parquet`` per table) for Spark.

The Spark engine reads the files written here; when none are given it keeps a cached export
in ``<db>.parquet/`` next to the database (or a temporary folder if that is not writable) and
refreshes it whenever the database file changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import duckdb

from asylumstats.errors import UserError
from asylumstats.sqlnames import quote_ident, quote_literal

#: Written in an export folder; records which database state the files come from.
STAMP = "_asylumstats_export.json"


def export_parquet(db_path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write every table of the database (data, lookups, model, release info) as Parquet.

    Files are written to a sibling temporary folder first and moved in place, so a reader
    never sees half a table. Returns the written files.
    """
    db = Path(db_path)
    out = Path(out_dir)
    if not db.is_file():
        raise UserError(f"No database at {db}; run 'asylumstats ingest RELEASE --db {db}' first.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"Cannot create the folder {out}: {exc.strerror}.") from exc
    con = duckdb.connect(str(db), read_only=True)
    written: list[Path] = []
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "AND NOT temporary ORDER BY table_name"
            ).fetchall()
        ]
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
        try:
            for table in tables:
                tmp = staging / f"{table}.parquet"
                con.execute(
                    f"COPY (SELECT * FROM {quote_ident(table)}) TO {quote_literal(str(tmp))} "
                    "(FORMAT PARQUET, COMPRESSION ZSTD)"
                )
                final = out / f"{table}.parquet"
                if final.is_dir():
                    shutil.rmtree(final)
                tmp.replace(final)
                written.append(final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        con.close()
    stat = db.stat()
    (out / STAMP).write_text(
        json.dumps({"db": str(db.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    )
    return written


def _is_fresh(db: Path, folder: Path) -> bool:
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return False
    stat = db.stat()
    return stamp.get("size") == stat.st_size and stamp.get("mtime_ns") == stat.st_mtime_ns


def cached_export(db_path: str | Path) -> Path:
    """A Parquet export of the database that is up to date, written on first use."""
    db = Path(db_path)
    if not db.is_file():
        raise UserError(f"No database at {db}; run 'asylumstats ingest RELEASE --db {db}' first.")
    candidates = [
        db.with_name(db.name + ".parquet"),
        Path(tempfile.gettempdir())
        / "asylumstats-parquet"
        / hashlib.sha1(str(db.resolve()).encode()).hexdigest()[:16],
    ]
    for folder in candidates:
        if folder.is_dir() and _is_fresh(db, folder):
            return folder
    for folder in candidates:
        try:
            export_parquet(db, folder)
        except (UserError, OSError, duckdb.IOException):
            continue
        return folder
    raise UserError(f"Cannot write a Parquet export of {db} for Spark.")
