"""Derived tables (asylum decisions and others), built at the end of ingest."""

from __future__ import annotations

from typing import Any


def build(con: Any) -> None:
    """Build the derived tables in an open DuckDB connection (placeholder until model lands)."""
    return None
