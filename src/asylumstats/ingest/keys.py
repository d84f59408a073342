"""Key checks after loading, with one bit per possible integer key instead of hashing.

EOIR ids are dense integers, so a bitmap of ``max - min + 1`` bits (DuckDB's
``bitstring_agg``) answers "does a key repeat?" and "is this parent key present?" in one
cheap pass. Keys too sparse for a bitmap (a range over :data:`BITMAP_MAX_RANGE` bits, or
much wider than the rows) fall back to the plain hashing SQL; both give the same counts.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from asylumstats.ingest.tables import TableSpec
from asylumstats.sqlnames import quote_ident as _q

#: Largest key range (max − min + 1) checked with a bitmap: 128 MB of bits.
BITMAP_MAX_RANGE = 1 << 30
#: A bitmap is used only when the range is at most this many bits per row (plus a margin).
BITS_PER_ROW = 64
_PARENT_KEYS = "_parent_keys"


def key_range(con: duckdb.DuckDBPyConnection, table: str, col: str) -> tuple[int, int, int] | None:
    """(min, max, count) of the integer column ``col`` of ``table`` (both quoted); None when
    the column is empty or its range is too wide for a bitmap."""
    row = _one(con, f"SELECT min({col}), max({col}), count({col}) FROM {table}")
    if not row or not isinstance(row[0], int):
        return None
    lo, hi, n = int(row[0]), int(row[1]), int(row[2])
    if hi - lo + 1 > min(BITMAP_MAX_RANGE, BITS_PER_ROW * n + 1024):
        return None
    return lo, hi, n


def may_repeat(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> bool:
    """Whether some non-NULL key of ``spec``'s table occurs more than once."""
    table, key = _q(spec.db_name), _q(spec.column(spec.key).db_name)
    rng = key_range(con, table, key)
    if rng is None:
        sql = f"SELECT count({key}) - count(DISTINCT {key}) FROM {table}"
        row = _one(con, sql)
    else:
        lo, hi, n = rng
        sql = f"SELECT ? - bit_count(bitstring_agg({key}, ?, ?)) FROM {table}"
        row = _one(con, sql, [n, lo, hi])
    return bool(row and row[0])


def parent_bitmaps(
    con: duckdb.DuckDBPyConnection, specs: Iterable[TableSpec], loaded: set[str]
) -> None:
    """A temporary table of one bitmap per parent key column that the specs refer to."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_PARENT_KEYS} "
        "(tbl VARCHAR, col VARCHAR, lo BIGINT, hi BIGINT, bits BIT)"
    )
    done: set[tuple[str, str]] = set()
    for spec in specs:
        for p in spec.parents:
            if p.table not in loaded or (p.table, p.parent_column) in done:
                continue
            done.add((p.table, p.parent_column))
            table, col = _q(p.table), _q(p.parent_column)
            rng = key_range(con, table, col)
            if rng is None:
                continue  # counted with an anti-join instead
            lo, hi, _ = rng
            con.execute(
                f"INSERT INTO {_PARENT_KEYS} SELECT ?, ?, ?, ?, bitstring_agg({col}, ?, ?) "
                f"FROM {table}",
                [p.table, p.parent_column, lo, hi, lo, hi],
            )


def orphans(con: duckdb.DuckDBPyConnection, spec: TableSpec, loaded: set[str]) -> int:
    """Rows of ``spec``'s table with a parent reference that no loaded parent row has (after
    :func:`parent_bitmaps`)."""
    have = {(r[0], r[1]) for r in con.execute(f"SELECT tbl, col FROM {_PARENT_KEYS}").fetchall()}
    conds: list[str] = []
    joins: list[str] = []
    params: list[str] = []
    for j, p in enumerate(x for x in spec.parents if x.table in loaded):
        col = f"c.{_q(p.column)}"
        if (p.table, p.parent_column) in have:
            alias = f"k{j}"
            joins.append(
                f"(SELECT lo, hi, bits FROM {_PARENT_KEYS} WHERE tbl = ? AND col = ?) AS {alias}"
            )
            params += [p.table, p.parent_column]
            found = (
                f"CASE WHEN {col} BETWEEN {alias}.lo AND {alias}.hi "
                f"THEN get_bit({alias}.bits, CAST({col} - {alias}.lo AS INTEGER)) ELSE 0 END = 1"
            )
        else:
            found = f"EXISTS (SELECT 1 FROM {_q(p.table)} p WHERE p.{_q(p.parent_column)} = {col})"
        conds.append(f"({col} IS NOT NULL AND NOT {found})")
    if not conds:
        return 0
    source = ", ".join([f"{_q(spec.db_name)} AS c", *joins])
    row = _one(con, f"SELECT count(*) FROM {source} WHERE {' OR '.join(conds)}", params)
    return int(row[0]) if row else 0


def _one(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple[object, ...] | None:
    """The first row of a query, its result read to the end (DuckDB refuses other work on the
    connection, such as registering a table, while a result is unfinished)."""
    rows = con.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else None


def drop_bitmaps(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS {_PARENT_KEYS}")
