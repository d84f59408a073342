"""Lossless ingest of an EOIR release into DuckDB: ``ingest_release(source, db_path)``.

Modules: ``tables`` (the raw tables' columns), ``values`` (decoding, null tokens, casts),
``repair`` (tab shifts, short rows), ``blocks`` (fast block reader), ``lookups``, ``load``
(the atomic database build), ``report``, ``progress``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asylumstats.ingest.load import ingest_release
    from asylumstats.ingest.report import IngestReport, TableReport

__all__ = ["IngestReport", "TableReport", "ingest_release"]


def __getattr__(name: str) -> Any:  # lazy, so that ``release`` can import ``ingest.tables``
    if name == "ingest_release":
        from asylumstats.ingest.load import ingest_release

        return ingest_release
    if name in ("IngestReport", "TableReport"):
        from asylumstats.ingest import report

        return getattr(report, name)
    raise AttributeError(name)
