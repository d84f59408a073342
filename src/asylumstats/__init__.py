"""asylumstats: honest, reproducible asylum-outcome statistics from the EOIR case-data release.

The package follows the data's path: ``release`` (open the zip, find files), ``ingest``
(parse, repair, quarantine, type), ``model`` (asylum decisions and other derived tables),
``metrics`` (definitions, rates, intervals), ``engines`` (DuckDB, Spark), ``cli``, ``web``
and ``sample`` (the synthetic release generator). ``asylumstats.open(path)`` is the Python API
(:mod:`asylumstats.api`): the same metrics and filters as the command line and the web app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from asylumstats.api import Database, Profile, Result, open

__all__ = ["Database", "Profile", "Result", "__version__", "open"]

#: The Python API's names, imported on first use so that the command line starts quickly.
_API_NAMES = frozenset({"Database", "Profile", "Result", "open"})


def __getattr__(name: str) -> Any:
    if name in _API_NAMES:
        from asylumstats import api

        return getattr(api, name)
    raise AttributeError(f"module 'asylumstats' has no attribute {name!r}")
