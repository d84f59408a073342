"""The DuckDB engine: the database file opened read-only (or an existing connection)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from asylumstats.engines.base import Engine, QueryResult
from asylumstats.errors import UserError


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
            raise UserError(
                f"No database at {path}; run 'asylumstats ingest RELEASE --db {path}' first."
            )
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise UserError(f"Cannot open the database {path}: {exc}".rstrip(".") + ".") from exc
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
