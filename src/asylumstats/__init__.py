"""asylumstats: honest, reproducible asylum-outcome statistics from the EOIR case-data release.

The package follows the data's path: ``release`` (open the zip, find files), ``ingest``
(parse, repair, quarantine, type), ``model`` (asylum decisions and other derived tables),
``metrics`` (definitions, rates, intervals), ``engines`` (DuckDB, Spark), ``cli``, ``web``
and ``sample`` (the synthetic release generator).
"""

__version__ = "0.1.0"
