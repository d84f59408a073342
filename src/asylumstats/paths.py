"""Where the database lives by default: ``$ASYLUMSTATS_DB``, else a per-user data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "ASYLUMSTATS_DB"
#: The kept release to query (set by ``--release`` on the command line; see ``releases.store``).
RELEASE_ENV = "ASYLUMSTATS_RELEASE"


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


def resolve_db(path: str | Path | None) -> Path:
    """``--db`` if given, else the default; the kept release chosen with ``--release`` (which
    sets ``$ASYLUMSTATS_RELEASE``) when there is one."""
    db = Path(path) if path else default_db_path()
    if os.environ.get(RELEASE_ENV):
        from asylumstats.releases.store import selected_db

        return selected_db(db)
    return db
