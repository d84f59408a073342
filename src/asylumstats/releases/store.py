"""Releases kept side by side: one DuckDB file per release, the newest at the ``--db`` path.

Layout, for a database path ``eoir.duckdb``::

    eoir.duckdb                      the newest release ingested (what queries use by default)
    eoir.duckdb.releases/            every other release kept, one file each
        EOIR Case Data 2026-0601.duckdb

The catalog is the files themselves: each database carries its own ``release_info`` and
``ingest_report`` tables, so listing the releases reads those small tables and nothing can go
stale. ``keep_and_swap`` is called by ingest once the new database is complete: the release at
the ``--db`` path moves into the folder (unless it is the same release, which is replaced), and
the newer of the two by release date takes the ``--db`` path.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from asylumstats.errors import UserError
from asylumstats.ingest.tables import ALL_DATA_TABLES


@dataclass(frozen=True)
class KeptRelease:
    """One release database and what its ``release_info`` says."""

    path: Path
    release: str
    release_date: date | None
    synthetic: bool
    ingested_at: str | None
    rows: int  # data rows loaded, all tables
    current: bool  # the one at the ``--db`` path

    def as_json(self) -> dict[str, object]:
        return {
            "release": self.release,
            "release_date": self.release_date.isoformat() if self.release_date else None,
            "rows": self.rows,
            "ingested_at": self.ingested_at,
            "synthetic": self.synthetic,
            "current": self.current,
            "path": str(self.path),
        }


def store_dir(db_path: Path) -> Path:
    """The folder holding the releases kept beside ``db_path``."""
    return db_path.with_name(db_path.name + ".releases")


def file_name(release: str) -> str:
    """A release name as a file name (letters, digits, space, ``-``, ``_``, ``.``)."""
    safe = re.sub(r"[^A-Za-z0-9 ._-]+", "_", release).strip(" .") or "release"
    return f"{safe}.duckdb"


def read_release(path: Path, current: bool = False) -> KeptRelease | None:
    """What the database at ``path`` holds; None when it is not a release database."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "release_info" not in tables:
            return None
        info = dict(con.execute("SELECT key, value FROM release_info").fetchall())
        rows = 0
        if "ingest_report" in tables:
            stems = [t.stem.lower() for t in ALL_DATA_TABLES]
            got = con.execute(
                "SELECT coalesce(sum(loaded), 0) FROM ingest_report "
                "WHERE list_contains(?, lower(table_name))",
                [stems],
            )
            rows = int((got.fetchone() or (0,))[0])
    except duckdb.Error:
        return None
    finally:
        con.close()
    raw_date = info.get("release_date")
    try:
        rdate = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        rdate = None
    return KeptRelease(
        path=path,
        release=str(info.get("release") or path.stem),
        release_date=rdate,
        synthetic=str(info.get("synthetic", "")).lower() == "true",
        ingested_at=info.get("ingested_at"),
        rows=rows,
        current=current,
    )


def list_releases(db_path: Path) -> list[KeptRelease]:
    """Every release kept for ``db_path``, newest first (the current one included)."""
    out: list[KeptRelease] = []
    if db_path.is_file():
        cur = read_release(db_path, current=True)
        if cur is not None:
            out.append(cur)
    folder = store_dir(db_path)
    if folder.is_dir():
        for p in sorted(folder.glob("*.duckdb")):
            kept = read_release(p)
            if kept is not None:
                out.append(kept)
    out.sort(key=lambda r: (r.release_date or date.min, r.current), reverse=True)
    return out


def find_release(db_path: Path, name: str) -> Path:
    """The database file of release ``name`` (its full name, its date, or a unique part)."""
    kept = list_releases(db_path)
    if not kept:
        raise UserError(f"No database at {db_path}; run 'asylumstats ingest RELEASE' first.")
    return match_release(kept, name).path


def match_release(kept: list[KeptRelease], name: str) -> KeptRelease:
    """The release of ``kept`` called ``name`` (its full name, its date, or a unique part)."""
    wanted = name.strip().lower()
    exact = [
        r
        for r in kept
        if r.release.lower() == wanted
        or (r.release_date is not None and r.release_date.isoformat() == wanted)
    ]
    if len(exact) == 1:
        return exact[0]
    partial = [r for r in kept if wanted in r.release.lower()]
    if len(partial) == 1:
        return partial[0]
    names = ", ".join(r.release for r in kept) or "none"
    if len(partial) > 1 or len(exact) > 1:
        raise UserError(f"'{name}' matches several releases; choose one of: {names}.")
    raise UserError(f"No release '{name}' is kept; the releases kept are: {names}.")


def keep_and_swap(tmp: Path, db_path: Path, swap: Callable[[Path, Path], None]) -> Path:
    """Put the finished database ``tmp`` in place, keeping the release it would replace.

    ``swap(src, dst)`` moves a finished file onto ``dst`` (ingest's atomic move). Returns
    where the new release now lives.
    """
    new = read_release(tmp)
    old = read_release(db_path) if db_path.is_file() else None
    if new is None or old is None or old.release == new.release:
        swap(tmp, db_path)
        return db_path
    folder = store_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    if new.release_date and old.release_date and new.release_date < old.release_date:
        target = folder / file_name(new.release)  # an older release: the newest stays current
        swap(tmp, target)
        return target
    fold_wal(db_path)
    kept = folder / file_name(old.release)
    # A second name for the previous file (a hard link, else a copy): the path at --db holds
    # a complete database at every instant, even if the process is killed here.
    made = _second_name(db_path, kept)
    try:
        swap(tmp, db_path)
    except BaseException:  # a failed ingest changes nothing: drop the name made above
        if made:
            kept.unlink(missing_ok=True)
        raise
    return db_path


def _second_name(src: Path, dst: Path) -> bool:
    """Give ``src`` the second name ``dst`` (replacing a stale one); True when made here."""
    part = dst.with_name(f"{dst.name}.part-{os.getpid()}")
    part.unlink(missing_ok=True)
    try:
        os.link(src, part)
    except OSError:  # no hard links on this file system: copy
        shutil.copyfile(src, part)
    os.replace(part, dst)
    return True


def fold_wal(path: Path) -> None:
    """Fold a WAL left beside the database at ``path`` into it, then remove the WAL: a WAL
    must never be replayed onto another file that takes this name."""
    wal = Path(f"{path}.wal")
    if wal.exists():
        try:
            con = duckdb.connect(str(path))
            con.execute("CHECKPOINT")
            con.close()
        except duckdb.Error:
            pass
        wal.unlink(missing_ok=True)
