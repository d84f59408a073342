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

import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from asylumstats.errors import UserError
from asylumstats.ingest.tables import ALL_DATA_TABLES, TableSpec
from asylumstats.sqlnames import quote_ident as q

#: The figures compared under ``metrics``: (name, ``--by`` dimensions).
METRIC_GROUPS: tuple[tuple[str, str], ...] = (("national", "fiscal_year"), ("judge", "judge"))
DEFINITION = "merits"


@dataclass(frozen=True)
class Side:
    """One release to compare, as a database file."""

    db: Path
    release: str | None
    release_date: str | None


def is_database(path: Path) -> bool:
    """Whether ``path`` is a DuckDB database file (its header carries ``DUCK``)."""
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        head = fh.read(16)
    return head[8:12] == b"DUCK"


@contextmanager
def opened_sides(old: Path, new: Path, progress: bool = False) -> Iterator[tuple[Side, Side]]:
    """The two releases as databases; zips and folders are ingested into a temporary folder."""
    with ExitStack() as stack:
        sides = []
        for label, path in (("old", old), ("new", new)):
            path = Path(path)
            if not path.exists():
                raise UserError(f"{path} does not exist.")
            if is_database(path):
                db = path
            else:
                from asylumstats.ingest.load import ingest_release

                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="asylumstats-")))
                db = tmp / f"{label}.duckdb"
                ingest_release(path, db, progress=progress)
            sides.append(_side(db))
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


def diff_releases(old: Path, new: Path, progress: bool = False) -> dict[str, Any]:
    """The SPEC §2.5 object comparing release ``old`` with release ``new``."""
    started = time.monotonic()
    with opened_sides(old, new, progress) as (a, b):
        result = diff_databases(a, b)
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


def diff_databases(a: Side, b: Side) -> dict[str, Any]:
    """Compare two ingested databases (tables by primary key, then the figures)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_lit(a.db)} AS o (READ_ONLY)")
        con.execute(f"ATTACH {_lit(b.db)} AS n (READ_ONLY)")
        tables: dict[str, Any] = {}
        for spec in ALL_DATA_TABLES:
            old_cols = _columns(con, "o", spec.db_name)
            new_cols = _columns(con, "n", spec.db_name)
            if not old_cols and not new_cols:
                continue
            tables[spec.stem] = compare_table(con, spec, old_cols, new_cols)
    finally:
        con.close()
    return {
        "old": {"release": a.release, "release_date": a.release_date},
        "new": {"release": b.release, "release_date": b.release_date},
        "tables": tables,
        "metrics": moved_figures(a.db, b.db),
    }


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ? "
        "AND schema_name = 'main' ORDER BY column_index",
        [catalog, table],
    ).fetchall()
    return [r[0] for r in rows]


def _one_row_per_key(catalog: str, spec: TableSpec, cols: list[str]) -> str:
    key = q(spec.key.lower())
    row_hash = f"hash({', '.join(q(c) for c in cols)})"
    return (
        f"(SELECT * FROM {catalog}.{q(spec.db_name)} WHERE {key} IS NOT NULL QUALIFY "
        f"row_number() OVER (PARTITION BY {key} ORDER BY {row_hash}) = 1)"
    )


def compare_table(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, old_cols: list[str], new_cols: list[str]
) -> dict[str, Any]:
    """Counts of one table: rows, vanished, added, changed, unchanged, changed_columns."""
    key = spec.key.lower()
    out: dict[str, Any] = {"old_rows": 0, "new_rows": 0}
    for side, cols in (("old", old_cols), ("new", new_cols)):
        if cols:
            cat = "o" if side == "old" else "n"
            row = con.execute(f"SELECT count(*) FROM {cat}.{q(spec.db_name)}").fetchone()
            out[f"{side}_rows"] = int(row[0]) if row else 0
    if not old_cols or not new_cols:  # the table exists in one release only
        keys = out["new_rows"] if new_cols else out["old_rows"]
        n_keys = _count_keys(con, "n" if new_cols else "o", spec) if keys else 0
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
        *(f"count(*) FILTER (WHERE {both} AND {cond})" for cond in differs.values()),
    ]
    sql = (
        f"SELECT {', '.join(selects)} FROM {_one_row_per_key('o', spec, old_cols)} o "
        f"FULL OUTER JOIN {_one_row_per_key('n', spec, new_cols)} n ON o.{q(key)} = n.{q(key)}"
    )
    row = con.execute(sql).fetchone()
    assert row is not None
    vanished, added, changed, unchanged, *per_column = (int(v) for v in row)
    out.update(
        vanished=vanished,
        added=added,
        changed=changed,
        unchanged=unchanged,
        changed_columns={c: n for c, n in zip(shared, per_column, strict=True) if n},
    )
    return out


def _count_keys(con: duckdb.DuckDBPyConnection, catalog: str, spec: TableSpec) -> int:
    key = q(spec.key.lower())
    row = con.execute(f"SELECT count(DISTINCT {key}) FROM {catalog}.{q(spec.db_name)}").fetchone()
    return int(row[0]) if row else 0


# -- the figures that moved -------------------------------------------------------------------


def moved_figures(old_db: Path, new_db: Path) -> list[dict[str, Any]]:
    """Grant rates (national by fiscal year, by judge) whose counts differ between releases."""
    from asylumstats.engines import open_engine
    from asylumstats.metrics.dimensions import key_columns, parse_dimensions
    from asylumstats.metrics.rates import rate_rows

    out: list[dict[str, Any]] = []
    for figure, by in METRIC_GROUPS:
        keys = key_columns(parse_dimensions(by))
        per_side = []
        for db in (old_db, new_db):
            with open_engine(db, "duckdb") as eng:
                rows = rate_rows(eng, by, None, DEFINITION)
            per_side.append({tuple(r[k] for k in keys): r for r in rows})
        old, new = per_side
        for k in sorted(set(old) | set(new), key=lambda t: tuple(_sortable(v) for v in t)):
            a, b = old.get(k), new.get(k)
            counts_a = _counts(a)
            counts_b = _counts(b)
            if counts_a == counts_b:
                continue
            row: dict[str, Any] = {"figure": figure, "definition": DEFINITION}
            src = b or a
            assert src is not None
            row.update({name: src[name] for name in keys})
            old_rate, new_rate = (a or {}).get("grant_rate"), (b or {}).get("grant_rate")
            row.update(
                old_grants=counts_a[0],
                old_decisions=(a or {}).get("decisions", 0),
                old_rate=old_rate,
                new_grants=counts_b[0],
                new_decisions=(b or {}).get("decisions", 0),
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
