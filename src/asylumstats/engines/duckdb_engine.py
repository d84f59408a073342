"""The DuckDB engine: the database file opened read-only (or an existing connection)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from asylumstats.engines.base import Engine, QueryResult
from asylumstats.errors import DatabaseError
from asylumstats.ingest.tables import BY_STEM, REQUIRED_TABLES


class DuckDBEngine(Engine):
    """Runs the SQL directly on a DuckDB connection."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, owns: bool = False) -> None:
        self.con = con
        self._owns = owns
        self._temp: set[str] = set()

    @classmethod
    def open(cls, db_path: str | Path) -> DuckDBEngine:
        """Open a database file read-only; a missing file is a user error."""
        path = Path(db_path)
        if not path.is_file():
            raise DatabaseError(
                f"No database at {path}; run 'asylumstats ingest RELEASE --db {path}' first."
            )
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            if "lock" in str(exc).lower():
                raise DatabaseError(
                    f"The database {path} is being written by another process; try again "
                    "when it has finished."
                ) from exc
            raise DatabaseError(
                f"{path} is not a DuckDB database; build one with "
                f"'asylumstats ingest RELEASE --db {path}'."
            ) from exc
        try:
            problem = schema_problem(con)
        except duckdb.Error as exc:  # pragma: no cover - a damaged catalog
            problem = f"its catalog cannot be read ({type(exc).__name__})"
        if problem:
            con.close()
            raise DatabaseError(
                f"{path} is not a database of this asylumstats version: {problem}; "
                f"rebuild it with 'asylumstats ingest RELEASE --db {path}'."
            )
        return cls(con, owns=True)

    def query(self, sql: str, params: Sequence[Any] = ()) -> QueryResult:
        cur = self.con.execute(sql, list(params))
        columns = [d[0] for d in cur.description or []]
        return QueryResult(columns, [tuple(r) for r in cur.fetchall()])

    def query_columns(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
        return dict(self.con.execute(sql, list(params)).fetchnumpy())

    def table_columns(self, table: str) -> list[str]:
        rows = self.con.execute(
            "SELECT lower(column_name) FROM duckdb_columns() "
            "WHERE lower(table_name) = lower(?) AND schema_name = 'main' ORDER BY column_index",
            [table],
        ).fetchall()
        return [r[0] for r in rows]

    def materialize(self, name: str, select_sql: str, order_by: str | None = None) -> None:
        order = f" ORDER BY {order_by}" if order_by else ""
        body = f"SELECT * FROM ({select_sql}) AS src{order}"
        try:
            self.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS {body}')
        except duckdb.InvalidInputException:
            # A read-only database without model tables: build them for this session only.
            self.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {body}')
            self._temp.add(name)

    def close(self) -> None:
        if self._owns:
            self.con.close()


#: Tables every asylumstats database has besides the required data tables.
_META_TABLES = ("release_info",)


def schema_problem(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the database on ``con`` is not one asylumstats can read, or None."""
    rows = con.execute(
        "SELECT lower(table_name), lower(column_name) FROM duckdb_columns() "
        "WHERE schema_name = 'main'"
    ).fetchall()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    specs = [BY_STEM[stem.lower()] for stem in REQUIRED_TABLES]
    for name in (*(s.db_name for s in specs), *_META_TABLES):
        if name not in columns:
            return f"it has no {name} table"
    for spec in specs:
        missing = [c.db_name for c in spec.columns if c.db_name not in columns[spec.db_name]]
        if missing:
            return f"table {spec.db_name} lacks the column {missing[0]}"
    return None
