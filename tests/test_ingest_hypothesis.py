"""Property: a mangled valid row is loaded with exactly its values, or quarantined — never lost
or loaded with values in the wrong columns."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from asylumstats.ingest import ingest_release
from asylumstats.ingest.tables import CASES, Column
from ingest_fixtures import minimal_tables, table_bytes, write_release

NATS = ["MX", "GT", "HO", "??"]
LANGS = ["SP", "ENG", "MAM"]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _value(col: Column) -> st.SearchStrategy[str]:
    blank = st.just("")
    if col.kind == "text":
        word = st.text(LETTERS, min_size=1, max_size=6)
        return st.one_of(blank, st.lists(word, min_size=1, max_size=3).map(" ".join))
    if col.kind == "date":
        d = st.datetimes(datetime(1990, 1, 1), datetime(2030, 12, 31)).map(
            lambda x: x.strftime("%Y-%m-%d %H:%M:%S.000")
        )
        return st.one_of(blank, d)
    if col.kind == "time":
        return st.one_of(blank, st.integers(0, 2359).map(lambda i: f"{i:04d}"))
    if col.kind == "month":
        return st.one_of(blank, st.integers(1, 12).map(str))
    if col.kind == "year":
        return st.one_of(blank, st.integers(1990, 2030).map(str))
    if col.kind == "birth":
        return st.one_of(
            blank, st.builds(lambda m, y: f"{m}/{y}", st.integers(1, 12), st.integers(1930, 2020))
        )
    fixed = {
        "NAT": NATS,
        "LANG": LANGS,
        "CUSTODY": ["D", "N", "R"],
        "CASE_TYPE": ["RMV", "DEP"],
        "Sex": ["M", "F"],
        "LPR": ["0", "1"],
        "C_ASY_TYPE": ["I", "E", "J"],
    }
    if col.name in fixed:
        return st.one_of(blank, st.sampled_from(fixed[col.name]))
    if col.pattern and "0-9]{4" in col.pattern:  # zip codes
        return st.one_of(blank, st.integers(10000, 99999).map(str))
    return st.one_of(blank, st.text(LETTERS, min_size=1, max_size=col.max_len or 3))


ROW = st.fixed_dictionaries({c.name: _value(c) for c in CASES.columns if c.kind != "id"})
MANGLE = st.sampled_from(["none", "tab", "tab2", "truncate", "trailing_na", "tab+na"])


@st.composite
def mangled(draw: st.DrawFn) -> tuple[dict[str, str], list[bytes], str]:
    values = draw(ROW)
    fields = [values.get(c.name, "") for c in CASES.columns]
    how = draw(MANGLE)
    texts = [i for i, c in enumerate(CASES.columns) if c.kind == "text" and len(fields[i]) >= 2]
    if how.startswith("tab") and texts:
        # TABs strictly inside a text value, never leaving a blank piece around them.
        for _ in range(2 if how == "tab2" else 1):
            i = draw(st.sampled_from(texts))
            at = draw(st.integers(1, len(fields[i]) - 1))
            new = fields[i][:at] + "\t" + fields[i][at:]
            if all(p.strip() for p in new.split("\t")):
                fields[i] = new
                values[CASES.columns[i].name] = new
    elif how == "truncate":
        keep = draw(st.integers(1, len(fields) - 1))
        fields = fields[:keep]
        for c in CASES.columns[keep:]:
            values[c.name] = ""
    if how in ("trailing_na", "tab+na"):
        fields.append("N/A")
    out = [f.encode("cp1252") for f in fields]
    # Trailing spaces on codes, NULs anywhere: normalisation must undo both.
    for i, c in enumerate(CASES.columns[: len(out)]):
        if c.kind == "code" and out[i] and draw(st.booleans()):
            out[i] += b" " * draw(st.integers(1, 3))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(out) - 1))
        at = draw(st.integers(0, len(out[i])))
        out[i] = out[i][:at] + b"\x00" + out[i][at:]
    return values, out, how


def _expected(col: Column, raw: str) -> Any:
    v = raw.strip()
    if v == "":
        return None
    if col.kind == "date":
        return datetime.strptime(v, "%Y-%m-%d %H:%M:%S.000")
    return v


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mangled(), min_size=1, max_size=25), st.booleans())
def test_mangled_rows_loaded_exactly_or_quarantined(
    rows: list[tuple[dict[str, str], list[bytes], str]], crlf: bool
) -> None:
    eol = b"\r\n" if crlf else b"\n"
    lines = [[str(i + 1).encode(), *fields[1:]] for i, (_v, fields, _h) in enumerate(rows)]
    data = table_bytes(CASES, lines, eol=eol)
    with tempfile.TemporaryDirectory() as tmp:
        tables = minimal_tables()
        tables["A_TblCase"] = data
        top = write_release(Path(tmp), tables)
        report = ingest_release(top, Path(tmp) / "db.duckdb", progress=False)
        con = duckdb.connect(str(Path(tmp) / "db.duckdb"), read_only=True)
        cur = con.execute("SELECT * FROM cases")
        names = [d[0] for d in cur.description]
        loaded = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
        quarantined = {
            r[0]
            for r in con.execute(
                "SELECT line_number FROM quarantine WHERE table_name = 'A_TblCase'"
            ).fetchall()
        }
        con.close()
    t = report.tables["A_TblCase"]
    assert t.rows_in_file == len(rows) and t.loaded + t.quarantined == len(rows)
    for i, (values, _fields, how) in enumerate(rows):
        idn, line_no = i + 1, i + 2
        if idn not in loaded:
            assert line_no in quarantined, (how, values)
            event(f"{how}: quarantined")
            continue
        event(f"{how}: loaded")
        assert line_no not in quarantined
        got = loaded[idn]
        for col in CASES.columns[1:]:
            want = _expected(col, values[col.name])
            assert got[col.db_name] == want, (how, col.name, got[col.db_name], want)
    assert len(loaded) + len(quarantined) == len(rows)
