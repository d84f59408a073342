"""``diff OLD NEW``: what changed between two releases, record by record and figure by figure.

Each side is a release zip, an unpacked folder (both ingested into a temporary database
first, so the comparison sees the ingest's normalisation: codes trimmed, null tokens NULL,
shifted rows repaired) or a database built by ``ingest``. For every data table present in
either release, records are matched on the table's primary key (``TableSpec.key``):

- ``vanished``: keys only in OLD; ``added``: keys only in NEW;
- ``changed``: keys in both with any shared column different (NULL = NULL counts as equal);
  ``changed_columns`` counts, per column, the keys whose value differs;
- ``unchanged``: keys in both with every shared column equal.

A key that occurs on several rows of one release (exact duplicate rows occur, e.g. in
``B_TblProceedCharges``) is compared through one of its rows, chosen deterministically (the
smallest hash of the row). ``old_rows``/``new_rows`` are the rows loaded, duplicates included.

``metrics`` lists the asylum figures that moved: grant rates under the default definition,
national by fiscal year and by judge, with old and new counts, rates and the change.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from asylumstats.engines.base import Engine
from asylumstats.errors import UserError
from asylumstats.ingest.load import LOAD_MEMORY_LIMIT, ingest_release
from asylumstats.ingest.tables import ALL_DATA_TABLES, TableSpec
from asylumstats.sqlnames import quote_ident as q

#: The figures compared under ``metrics``: (name, ``--by`` dimensions).
METRIC_GROUPS: tuple[tuple[str, str], ...] = (("national", "fiscal_year"), ("judge", "judge"))
DEFINITION = "merits"


@dataclass(frozen=True)
class Side:
    """One release to compare: its database and/or its Parquet export (for Spark)."""

    db: Path | None
    release: str | None
    release_date: str | None
    parquet: Path | None = None


def is_database(path: Path) -> bool:
    """Whether ``path`` is a DuckDB database file (its header carries ``DUCK``)."""
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        head = fh.read(16)
    return head[8:12] == b"DUCK"


def is_export(path: Path) -> bool:
    """Whether ``path`` is a folder written by ``asylumstats export --parquet``."""
    return path.is_dir() and (path / "applications.parquet").exists()


@contextmanager
def opened_sides(
    old: Path, new: Path, progress: bool = False, engine: str = "duckdb"
) -> Iterator[tuple[Side, Side]]:
    """The two releases as databases (or exports for Spark); zips and folders are ingested
    into a temporary folder first."""
    with ExitStack() as stack:
        sides = []
        for label, path in (("old", old), ("new", new)):
            path = Path(path)
            if not path.exists():
                raise UserError(f"{path} does not exist.")
            if engine == "spark" and is_export(path):
                sides.append(_export_side(path))
                continue
            if is_database(path):
                db = path
            else:
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="asylumstats-")))
                db = tmp / f"{label}.duckdb"
                ingest_release(path, db, progress=progress)
            side = _side(db)
            if engine == "spark":
                from asylumstats.engines.parquet import cached_export

                side = Side(db, side.release, side.release_date, cached_export(db))
            sides.append(side)
        yield sides[0], sides[1]


def _side(db: Path) -> Side:
    con = duckdb.connect(str(db), read_only=True)
    try:
        info = dict(con.execute("SELECT key, value FROM release_info").fetchall())
    except duckdb.Error as exc:
        raise UserError(f"{db} is not a database built by 'asylumstats ingest'.") from exc
    finally:
        con.close()
    return Side(db, info.get("release"), info.get("release_date"))


def _export_side(folder: Path) -> Side:
    import pyarrow.parquet as pq

    info: dict[str, str] = {}
    if (folder / "release_info.parquet").exists():
        t = pq.read_table(folder / "release_info.parquet").to_pydict()
        info = dict(zip(t["key"], t["value"], strict=True))
    return Side(None, info.get("release"), info.get("release_date"), folder)


def diff_releases(
    old: Path, new: Path, progress: bool = False, engine: str = "duckdb"
) -> dict[str, Any]:
    """The SPEC §2.5 object comparing release ``old`` with release ``new``."""
    if engine not in ("duckdb", "spark"):
        raise UserError(f"Unknown engine '{engine}'; choose duckdb or spark.")
    with opened_sides(old, new, progress, engine) as (a, b):
        return diff_databases(a, b, engine)


def diff_databases(a: Side, b: Side, engine: str = "duckdb") -> dict[str, Any]:
    """Compare two releases (tables by primary key, then the figures) on ``engine``."""
    pair = _open_pair(a, b, engine)
    try:
        tables: dict[str, Any] = {}
        for spec in ALL_DATA_TABLES:
            old_cols = pair.table_columns(f"old_{spec.db_name}")
            new_cols = pair.table_columns(f"new_{spec.db_name}")
            if not old_cols and not new_cols:
                continue
            tables[spec.stem] = compare_table(pair, spec, old_cols, new_cols)
    finally:
        pair.close()
    return {
        "old": {"release": a.release, "release_date": a.release_date},
        "new": {"release": b.release, "release_date": b.release_date},
        "tables": tables,
        "metrics": moved_figures(a, b, engine),
    }


def _open_pair(a: Side, b: Side, engine: str) -> Engine:
    """An engine where the tables of OLD are views ``old_<table>`` and NEW's ``new_<table>``."""
    if engine == "spark":
        from asylumstats.releases.spark_pair import SparkPair

        assert a.parquet is not None and b.parquet is not None
        return SparkPair(a.parquet, b.parquet)
    from asylumstats.engines.duckdb_engine import DuckDBEngine

    assert a.db is not None and b.db is not None
    con = duckdb.connect()
    # A bounded buffer pool that spills to a temporary folder, as ingest does.
    spill = Path(tempfile.gettempdir()) / f"asylumstats-diff-{os.getpid()}"
    con.execute(f"SET memory_limit = {_lit(LOAD_MEMORY_LIMIT)}")
    con.execute(f"SET temp_directory = {_lit(spill)}")
    con.execute("SET preserve_insertion_order = false")
    for alias, side in (("o", a), ("n", b)):
        prefix = "old" if alias == "o" else "new"
        con.execute(f"ATTACH {_lit(side.db)} AS {alias} (READ_ONLY)")
        names = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'main'",
            [alias],
        ).fetchall()
        for (name,) in names:
            con.execute(f"CREATE VIEW {q(prefix + '_' + name)} AS SELECT * FROM {alias}.{q(name)}")
    return DuckDBEngine(con, owns=True)


def _lit(path: Path | str | None) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _one_row_per_key(pair: Engine, prefix: str, spec: TableSpec, cols: list[str]) -> str:
    """The table, or (when a key has several rows) one row per key chosen by the row's hash."""
    key = q(spec.key.lower())
    table = q(prefix + "_" + spec.db_name)
    total, keys = pair.query(f"SELECT count({key}), count(DISTINCT {key}) FROM {table}").rows[0]
    if int(total) == int(keys):
        return table
    row_hash = f"hash({', '.join(q(c) for c in cols)})"
    return (
        f"(SELECT * FROM {q(prefix + '_' + spec.db_name)} WHERE {key} IS NOT NULL QUALIFY "
        f"row_number() OVER (PARTITION BY {key} ORDER BY {row_hash}) = 1)"
    )


def compare_table(
    pair: Engine, spec: TableSpec, old_cols: list[str], new_cols: list[str]
) -> dict[str, Any]:
    """Counts of one table: rows, vanished, added, changed, unchanged, changed_columns."""
    key = spec.key.lower()
    out: dict[str, Any] = {"old_rows": 0, "new_rows": 0}
    for side, cols in (("old", old_cols), ("new", new_cols)):
        if cols:
            rows = pair.query(f"SELECT count(*) FROM {q(side + '_' + spec.db_name)}").rows
            out[f"{side}_rows"] = int(rows[0][0])
    if not old_cols or not new_cols:  # the table exists in one release only
        side = "new" if new_cols else "old"
        n_keys = _count_keys(pair, side, spec) if out[f"{side}_rows"] else 0
        out.update(
            vanished=0 if new_cols else n_keys,
            added=n_keys if new_cols else 0,
            changed=0,
            unchanged=0,
            changed_columns={},
        )
        return out
    shared = [c for c in old_cols if c in new_cols and c != key]
    differs = {c: f"o.{q(c)} IS DISTINCT FROM n.{q(c)}" for c in shared}
    both = f"o.{q(key)} IS NOT NULL AND n.{q(key)} IS NOT NULL"
    any_diff = " OR ".join(differs.values()) or "false"
    selects = [
        f"count(*) FILTER (WHERE n.{q(key)} IS NULL) AS vanished",
        f"count(*) FILTER (WHERE o.{q(key)} IS NULL) AS added",
        f"count(*) FILTER (WHERE {both} AND ({any_diff})) AS changed",
        f"count(*) FILTER (WHERE {both} AND NOT ({any_diff})) AS unchanged",
        *(
            f"count(*) FILTER (WHERE {both} AND {cond}) AS c{i}"
            for i, cond in enumerate(differs.values())
        ),
    ]
    sql = (
        f"SELECT {', '.join(selects)} FROM {_one_row_per_key(pair, 'old', spec, old_cols)} AS o "
        f"FULL OUTER JOIN {_one_row_per_key(pair, 'new', spec, new_cols)} AS n "
        f"ON o.{q(key)} = n.{q(key)}"
    )
    vanished, added, changed, unchanged, *per_column = (int(v) for v in pair.query(sql).rows[0])
    out.update(
        vanished=vanished,
        added=added,
        changed=changed,
        unchanged=unchanged,
        changed_columns={c: n for c, n in zip(shared, per_column, strict=True) if n},
    )
    return out


def _count_keys(pair: Engine, side: str, spec: TableSpec) -> int:
    key = q(spec.key.lower())
    rows = pair.query(f"SELECT count(DISTINCT {key}) FROM {q(side + '_' + spec.db_name)}").rows
    return int(rows[0][0])


# -- the figures that moved -------------------------------------------------------------------


def moved_figures(a: Side, b: Side, engine: str = "duckdb") -> list[dict[str, Any]]:
    """Grant rates (national by fiscal year, by judge) whose counts differ between releases."""
    from asylumstats.engines import open_engine
    from asylumstats.metrics.dimensions import key_columns, parse_dimensions
    from asylumstats.metrics.rates import rate_rows

    out: list[dict[str, Any]] = []
    for figure, by in METRIC_GROUPS:
        keys = key_columns(parse_dimensions(by))
        per_side = []
        for side in (a, b):
            with open_engine(side.db, engine, parquet_dir=side.parquet) as eng:
                rows = rate_rows(eng, by, None, DEFINITION)
            per_side.append({tuple(r[k] for k in keys): r for r in rows})
        old, new = per_side
        for k in sorted(set(old) | set(new), key=lambda t: tuple(_sortable(v) for v in t)):
            was, now = old.get(k), new.get(k)
            counts_a = _counts(was)
            counts_b = _counts(now)
            if counts_a == counts_b:
                continue
            row: dict[str, Any] = {"figure": figure, "definition": DEFINITION}
            src = now or was
            assert src is not None
            row.update({name: src[name] for name in keys})
            old_rate, new_rate = (was or {}).get("grant_rate"), (now or {}).get("grant_rate")
            row.update(
                old_grants=counts_a[0],
                old_decisions=(was or {}).get("decisions", 0),
                old_rate=old_rate,
                new_grants=counts_b[0],
                new_decisions=(now or {}).get("decisions", 0),
                new_rate=new_rate,
                change=None if old_rate is None or new_rate is None else new_rate - old_rate,
            )
            out.append(row)
    return out


def _counts(row: dict[str, Any] | None) -> tuple[int, int, int]:
    if row is None:
        return (0, 0, 0)
    return (int(row["grants"]), int(row["denials"]), int(row["other"]))


def _sortable(v: Any) -> tuple[bool, str]:
    return (v is None, "" if v is None else f"{v:>12}" if isinstance(v, int) else str(v))
