"""Where the database lives by default (``$ASYLUMSTATS_DB``, else a per-user data folder), and
which file a ``--db``/``--release`` pair names."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "ASYLUMSTATS_DB"


def user_data_dir() -> Path:
    """The per-user data folder (XDG on Linux, the usual places elsewhere)."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "asylumstats"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "asylumstats"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "asylumstats"


def default_db_path() -> Path:
    """The database path used when ``--db`` is not given."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return user_data_dir() / "asylumstats.duckdb"


def resolve_db(path: str | Path | None, release: str | None = None) -> Path:
    """``--db`` if given, else the default; with ``release`` (``--release``: a name or date as
    ``asylumstats releases`` lists them), the file of that release kept beside it."""
    db = Path(path) if path else default_db_path()
    if release and release.strip():
        # Only ``--release`` reads the kept releases' catalog (and so needs DuckDB).
        from asylumstats.releases.store import find_release

        return find_release(db, release)
    return db
