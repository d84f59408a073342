"""Key bitmaps (repeats, orphans) against the plain SQL they replace, on random keys."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asylumstats.ingest import keys
from asylumstats.ingest.tables import APPLICATIONS, PROCEEDINGS

# Dense small ids, a few far away (the bitmap's range check), and NULLs.
ids = st.one_of(st.integers(1, 60), st.integers(10**12, 10**12 + 3), st.none())


def _table(con: duckdb.DuckDBPyConnection, name: str, cols: dict[str, list[int | None]]) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {name} ({', '.join(f'{c} BIGINT' for c in cols)})")
    rows = list(zip(*cols.values(), strict=True))
    if rows:
        marks = ", ".join("?" for _ in cols)
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", [list(r) for r in rows])


def _plain_orphans(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute(
        "SELECT count(*) FROM applications c WHERE (c.idnproceeding IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM proceedings p WHERE p.idnproceeding = c.idnproceeding)) OR "
        "(c.idncase IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cases p WHERE p.idncase = c.idncase))"
    ).fetchone()
    assert row is not None
    return int(row[0])


@settings(max_examples=150, deadline=None)
@given(
    parents=st.lists(ids, max_size=30),
    cases=st.lists(ids, max_size=30),
    children=st.lists(st.tuples(ids, ids), max_size=40),
)
def test_orphans_match_plain_sql(
    parents: list[int | None], cases: list[int | None], children: list[tuple]
) -> None:
    con = duckdb.connect()
    _table(con, "proceedings", {"idnproceeding": parents})
    _table(con, "cases", {"idncase": cases})
    _table(
        con,
        "applications",
        {"idnproceeding": [c[0] for c in children], "idncase": [c[1] for c in children]},
    )
    loaded = {"proceedings", "cases", "applications"}
    keys.parent_bitmaps(con, [APPLICATIONS], loaded)
    assert keys.orphans(con, APPLICATIONS, loaded) == _plain_orphans(con)


@settings(max_examples=150, deadline=None)
@given(values=st.lists(ids, max_size=40))
def test_may_repeat_matches_plain_sql(values: list[int | None]) -> None:
    con = duckdb.connect()
    _table(con, "proceedings", {"idnproceeding": values})
    plain = con.execute(
        "SELECT count(idnproceeding) - count(DISTINCT idnproceeding) FROM proceedings"
    ).fetchone()
    assert plain is not None
    assert keys.may_repeat(con, PROCEEDINGS) == (plain[0] > 0)


@pytest.mark.parametrize(
    ("values", "want"),
    [([1, 2, 3], None), ([5, 5, 7], True), ([None, None, 4], False), ([], False)],
)
def test_may_repeat_examples(values: list[int | None], want: bool | None) -> None:
    con = duckdb.connect()
    _table(con, "proceedings", {"idnproceeding": values})
    assert keys.may_repeat(con, PROCEEDINGS) is bool(want)
    assert keys.key_range(con, "proceedings", "idnproceeding") == (
        None
        if not [v for v in values if v is not None]
        else (
            min(v for v in values if v is not None),
            max(v for v in values if v is not None),
            len([v for v in values if v is not None]),
        )
    )
