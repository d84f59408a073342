"""The DuckDB engine and the Parquet export (no Spark needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from asylumstats.engines import open_engine
from asylumstats.engines.parquet import STAMP, cached_export, export_parquet
from asylumstats.engines.spark_engine import to_spark
from asylumstats.errors import UserError
from asylumstats.metrics import DEFINITIONS, Filters, rate_rows
from asylumstats.metrics.query import grouped_sql
from asylumstats.metrics.rates import rate_result
from asylumstats.model.sql import case_decisions_sql, decisions_sql
from metrics_fixtures import build_db, hand_dataset


def test_read_only(tmp_path: Path) -> None:
    db = build_db(tmp_path / "t.duckdb", hand_dataset())
    with open_engine(db) as eng:
        with pytest.raises(duckdb.Error):
            eng.con.execute("CREATE TABLE x (a INT)")  # type: ignore[attr-defined]
        assert rate_rows(eng, ["judge"], Filters())


def test_model_built_on_the_fly_for_an_old_database(tmp_path: Path) -> None:
    db = build_db(tmp_path / "old.duckdb", hand_dataset())
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE asylum_case_decisions")
    con.execute("DROP TABLE asylum_decisions")
    con.close()
    with open_engine(db) as eng:
        assert rate_rows(eng, [], Filters(judge="HC2"))[0]["denials"] == 3


def test_unknown_engine(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        open_engine(tmp_path / "x.duckdb", "oracle")


def test_export_and_cache(tmp_path: Path) -> None:
    db = build_db(tmp_path / "t.duckdb", hand_dataset())
    files = export_parquet(db, tmp_path / "out")
    assert (tmp_path / "out" / STAMP).is_file() and len(files) >= 10
    first = cached_export(db)
    assert first == tmp_path / "t.duckdb.parquet"
    mtime = (first / "applications.parquet").stat().st_mtime_ns
    assert cached_export(db) == first  # fresh: not rewritten
    assert (first / "applications.parquet").stat().st_mtime_ns == mtime


def test_all_sql_transpiles() -> None:
    """Every statement the engines run transpiles to Spark SQL without loss of parameters."""
    cols = {"tbllookupjudge": ["idnjudge", "judge_code", "judge_name", "blnactive"]}
    statements = [decisions_sql(lambda t: cols.get(t, [])), case_decisions_sql()]
    for d in DEFINITIONS.values():
        from asylumstats.metrics.dimensions import parse_dimensions

        sql, params = grouped_sql(
            d.table,
            parse_dimensions("judge,fiscal_year"),
            Filters(fy=2020, judge="AAA"),
            [("g", f"SUM(CASE WHEN {d.grant_sql} THEN 1 ELSE 0 END)")],
        )
        statements.append(sql)
        assert to_spark(sql).count("?") == len(params) == 2
    for sql in statements:
        assert to_spark(sql)


def test_rate_result_is_engine_agnostic() -> None:
    """A fake engine receives only parameterised SQL."""
    from asylumstats.engines.base import Engine

    class Fake(Engine):
        name = "fake"
        seen: list[tuple[str, list]] = []

        def query(self, sql, params=()):
            from asylumstats.engines.base import QueryResult

            self.seen.append((sql, list(params)))
            if "DISTINCT" in sql:  # the code list
                return QueryResult(["court_code"], [("O'HARE",)])
            return QueryResult([], [])

        def table_columns(self, table):
            return []

        def has_table(self, table):
            return False

        def materialize(self, name, select_sql, order_by=None):
            raise AssertionError("read-only")

    fake = Fake()
    res = rate_result(fake, ["court"], Filters(court="O'HARE"), "merits")
    assert res.rows == []
    assert all("O'HARE" not in sql for sql, _ in fake.seen)
