"""asylumstats: honest, reproducible asylum-outcome statistics from the EOIR case-data release.

The package follows the data's path: ``release`` (open the zip, find files), ``ingest``
(parse, repair, quarantine, type), ``model`` (asylum decisions and other derived tables),
``metrics`` (definitions, rates, intervals), ``engines`` (DuckDB, Spark), ``cli``, ``web``
and ``sample`` (the synthetic release generator). ``asylumstats.open(path)`` is the Python API
(:mod:`asylumstats.api`): the same metrics and filters as the command line and the web app.
"""

__version__ = "0.1.0"

from asylumstats.api import Database, Profile, Result, open  # noqa: E402 - after the version

__all__ = ["Database", "Profile", "Result", "__version__", "open"]
