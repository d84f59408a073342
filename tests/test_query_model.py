"""The one parameter model: every SPEC §2.2 filter with comma lists, periods (§2.3), change with
the Newcombe interval, implausible dates, empty results — exact counts against a plain-Python
reference computed from the SPEC text (``metrics_fixtures``), never from the code under test."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from asylumstats.engines import Engine, open_engine
from asylumstats.errors import UserError
from asylumstats.metrics import Filters, Period, change_result, rate_rows
from asylumstats.metrics.change import newcombe
from cli_helpers import run
from metrics_fixtures import D, build_db, reference_decisions, standard_dataset

Row = dict[str, Any]


def dataset() -> Any:
    ds = standard_dataset()
    # Implausible dates: after the release date (2026-07-01) and before 1950.
    ds.case(9001, nat="CH", lang="MAN")
    ds.proc(90011, 9001, D(2027, 3, 1), "JA1", court="NYC")
    ds.app(90011, 9001, "G", idn=9_000_001)
    ds.case(9002, nat="CH", lang="MAN")
    ds.proc(90021, 9002, D(1949, 12, 31), "JA1", court="NYC")
    ds.app(90021, 9002, "D", idn=9_000_002)
    return ds


RELEASE = dt.date(2026, 7, 1)
ALL = reference_decisions(dataset())
#: The reference keeps only plausible dates (1950 up to the release date).
REF = [d for d in ALL if dt.date(1950, 1, 1) <= d["decision_date"] <= RELEASE]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("qm") / "t.duckdb", dataset())


@pytest.fixture(scope="module")
def engine(db: Path) -> Iterator[Engine]:
    eng = open_engine(db)
    yield eng
    eng.close()


def ref_counts(keep: Callable[[Row], bool], definition: str = "merits") -> tuple[int, ...]:
    rows = [d for d in REF if keep(d)]
    g = sum(d["outcome"] == "grant" for d in rows)
    dn = sum(d["outcome"] == "denial" for d in rows)
    o = sum(d["outcome"] == "other" for d in rows)
    return g, dn, o, g + dn + (o if definition == "eoir" else 0)


def total(rows: list[Row]) -> tuple[int, ...]:
    assert len(rows) <= 1
    if not rows:
        return 0, 0, 0, 0
    r = rows[0]
    return r["grants"], r["denials"], r["other"], r["decisions"]


# Each filter, as keyword arguments of Filters.parse, and the same rule written out again.
FILTER_CASES: list[tuple[dict[str, Any], Callable[[Row], bool]]] = [
    ({"judge": "JA1,JB2"}, lambda d: d["judge_code"] in {"JA1", "JB2"}),
    ({"court": ["nyc", "HOU"]}, lambda d: d["court_code"] in {"NYC", "HOU"}),
    ({"hearing_location": "SF1"}, lambda d: d["hearing_location_code"] == "SF1"),
    ({"nationality": "CH,MX"}, lambda d: d["nationality_code"] in {"CH", "MX"}),
    ({"language": "MAN"}, lambda d: d["language_code"] == "MAN"),
    ({"language": "SP,ENG"}, lambda d: d["language_code"] in {"SP", "ENG"}),
    ({"custody": "D"}, lambda d: d["custody"] == "D"),
    ({"custody": "R,N"}, lambda d: d["custody"] in {"R", "N"}),
    ({"represented": "yes"}, lambda d: d["represented"] is True),
    ({"represented": "no"}, lambda d: d["represented"] is False),
    ({"asylum_type": "affirmative"}, lambda d: d["asylum_type"] == "affirmative"),
    ({"asylum_type": "defensive,unknown"}, lambda d: d["asylum_type"] != "affirmative"),
    ({"fy": "2019"}, lambda d: d["fiscal_year"] == 2019),
    (
        {"date_from": "2019-01-01", "date_to": "2019-06-30"},
        lambda d: dt.date(2019, 1, 1) <= d["decision_date"] <= dt.date(2019, 6, 30),
    ),
    (
        {"nationality": "CH", "represented": "no", "custody": "N"},
        lambda d: d["nationality_code"] == "CH" and not d["represented"] and d["custody"] == "N",
    ),
]


@pytest.mark.parametrize(("kwargs", "keep"), FILTER_CASES)
@pytest.mark.parametrize("definition", ["merits", "eoir"])
def test_every_filter_exact_counts(
    engine: Engine, kwargs: dict[str, Any], keep: Callable[[Row], bool], definition: str
) -> None:
    f = Filters.parse(**kwargs)
    assert total(rate_rows(engine, [], f, definition)) == ref_counts(keep, definition)


@pytest.mark.parametrize(
    ("dimension", "key"),
    [
        ("language", "language_code"),
        ("custody", "custody"),
        ("hearing_location", "hearing_location_code"),
        ("represented", "represented"),
        ("asylum_type", "asylum_type"),
    ],
)
def test_each_dimension_filters_what_it_groups_by(engine: Engine, dimension: str, key: str) -> None:
    for row in rate_rows(engine, [dimension], Filters()):
        value = row[key]
        if value is None:
            continue
        param = ("yes" if value else "no") if isinstance(value, bool) else value
        got = total(rate_rows(engine, [], Filters.parse(**{dimension: param})))
        assert got == (row["grants"], row["denials"], row["other"], row["decisions"])


def test_parse_errors() -> None:
    with pytest.raises(UserError, match="yes or no"):
        Filters.parse(represented="maybe")
    with pytest.raises(UserError, match="Bad asylum type"):
        Filters.parse(asylum_type="affirmative,asylum")
    with pytest.raises(UserError, match="one fiscal year"):
        Filters.parse(fy="2019,2020")
    with pytest.raises(UserError, match="Bad period"):
        Period.parse("2019-01-01")
    with pytest.raises(UserError, match="starts after it ends"):
        Period.parse("2020-01-01..2019-01-01")
    assert Period.parse("2025-01-01..").label == "2025-01-01.."
    assert Period.parse("..2024-12-31").label == "..2024-12-31"
    f = Filters.parse(nationality=["ch", "MX,ch"], represented=True)
    assert f.nationality == ("CH", "MX") and f.represented is True
    assert f.as_dict()["nationality"] == "CH,MX" and f.as_dict()["represented"] == "yes"


def test_implausible_dates_left_out_and_counted(engine: Engine) -> None:
    from asylumstats.metrics import rate_result

    res = rate_result(engine, ["fiscal_year"], Filters(judge="JA1"))
    assert res.excluded_implausible == 2
    assert 2027 not in {r["fiscal_year"] for r in res.rows}
    assert 1950 not in {r["fiscal_year"] for r in res.rows}
    assert total(rate_rows(engine, [], Filters(judge="JA1"))) == ref_counts(
        lambda d: d["judge_code"] == "JA1"
    )


def test_periods(engine: Engine) -> None:
    periods = ["..2018-12-31", "2019-01-01..2019-12-31", "2020-01-01.."]
    rows = rate_rows(engine, ["court"], Filters(nationality="CH"), "eoir", periods=periods)
    assert list(rows[0])[:3] == ["period", "court_code", "court_name"]
    assert [r["period"] for r in rows] == sorted(
        (r["period"] for r in rows), key=lambda p: periods.index(p)
    )
    bounds = {
        "..2018-12-31": (dt.date.min, dt.date(2018, 12, 31)),
        "2019-01-01..2019-12-31": (dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        "2020-01-01..": (dt.date(2020, 1, 1), dt.date.max),
    }
    expected = 0
    for label, (lo, hi) in bounds.items():
        courts = {d["court_code"] for d in REF if lo <= d["decision_date"] <= hi}
        for court in courts:

            def keep(d: Row, lo: dt.date = lo, hi: dt.date = hi, court: str = court) -> bool:
                return (
                    lo <= d["decision_date"] <= hi
                    and d["court_code"] == court
                    and d["nationality_code"] == "CH"
                )

            want = ref_counts(keep, "eoir")
            if want[0] + want[1] + want[2] == 0:
                continue
            expected += 1
            got = [r for r in rows if r["period"] == label and r["court_code"] == court]
            assert total(got) == want
    assert len(rows) == expected
    # A period is intersected with --from/--to.
    clipped = rate_rows(
        engine, [], Filters.parse(date_from="2019-06-01"), periods=["2019-01-01..2019-12-31"]
    )
    assert total([{k: v for k, v in clipped[0].items() if k != "period"}]) == ref_counts(
        lambda d: dt.date(2019, 6, 1) <= d["decision_date"] <= dt.date(2019, 12, 31)
    )


# --- the Newcombe interval, from an independent implementation ----------------------------


def wilson_by_roots(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson interval as the two roots of (p - x/n)^2 = z^2 p (1 - p) / n."""
    phat = x / n
    a = 1 + z * z / n
    b = -(2 * phat + z * z / n)
    c = phat * phat
    disc = math.sqrt(max(0.0, b * b - 4 * a * c))
    return (-b - disc) / (2 * a), (-b + disc) / (2 * a)


def newcombe_reference(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_by_roots(x1, n1)
    l2, u2 = wilson_by_roots(x2, n2)
    d = p1 - p2
    return d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def test_newcombe_published_example() -> None:
    # Newcombe (1998), Table II, example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    low, high = newcombe(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@pytest.mark.parametrize(
    "counts", [(56, 70, 48, 80), (9, 10, 3, 10), (0, 10, 0, 20), (10, 10, 0, 10), (5, 56, 0, 29)]
)
def test_newcombe_matches_reference(counts: tuple[int, int, int, int]) -> None:
    low, high = newcombe(*counts)
    ref_low, ref_high = newcombe_reference(*counts)
    assert low == pytest.approx(ref_low, abs=1e-9) and high == pytest.approx(ref_high, abs=1e-9)
    assert newcombe(3, 0, 1, 2) == (None, None)


def test_change_rows(engine: Engine) -> None:
    res = change_result(engine, "..2018-12-31", "2019-01-01..", ["court"], Filters(), "merits")
    courts = {d["court_code"] for d in REF}
    assert [r["court_code"] for r in res.rows] == sorted(courts)
    for r in res.rows:
        c = r["court_code"]
        base = ref_counts(lambda d, c=c: d["court_code"] == c and d["decision_date"].year <= 2018)
        cur = ref_counts(lambda d, c=c: d["court_code"] == c and d["decision_date"].year >= 2019)
        assert (r["base_grants"], r["base_denials"], r["base_other"], r["base_decisions"]) == base
        assert (
            r["current_grants"],
            r["current_denials"],
            r["current_other"],
            r["current_decisions"],
        ) == cur
        if base[3] and cur[3]:
            assert r["difference"] == pytest.approx(cur[0] / cur[3] - base[0] / base[3])
            ref_low, ref_high = newcombe_reference(cur[0], cur[3], base[0], base[3])
            assert r["diff_ci_low"] == pytest.approx(ref_low)
            assert r["diff_ci_high"] == pytest.approx(ref_high)
        else:
            assert r["difference"] is None and r["diff_ci_low"] is None
        assert r["adjusted_for"] == [
            "nationality",
            "represented",
            "custody",
            "asylum_type",
            "court",
            "judge",
        ]
    assert list(res.rows[0])[:2] == ["court_code", "court_name"]


def test_change_cli_and_empty(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "change",
        "--db",
        str(db),
        "--base",
        "..2018-12-31",
        "--current",
        "2019-01-01..",
        "--format",
        "json",
        "--language",
        "MAN",
    )
    assert code == 0
    (row,) = json.loads(out)
    base = ref_counts(lambda d: d["language_code"] == "MAN" and d["decision_date"].year <= 2018)
    assert (row["base_grants"], row["base_decisions"]) == (base[0], base[3])
    code, out, err = run(
        capsys, "change", "--db", str(db), "--base", "1990-01-01..1990-12-31", "--current",
        "1991-01-01..1991-12-31", "--format", "json",
    )  # fmt: skip
    assert (code, out) == (0, "[]\n") and "No asylum decisions match" in err
    code, out, _ = run(
        capsys, "change", "--db", str(db), "--base", "..2018-12-31", "--current", "2019-01-01..",
        "--format", "csv",
    )  # fmt: skip
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["adjusted_for"] == "nationality,represented,custody,asylum_type,court,judge"
    assert int(row["base_grants"]) == ref_counts(lambda d: d["decision_date"].year <= 2018)[0]
    code, out, err = run(capsys, "change", "--db", str(db), "--base", "2019", "--current", "..")
    assert code == 2 and "Bad period" in err and "Traceback" not in err


def test_rate_period_cli(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "rate",
        "--db",
        str(db),
        "--period",
        "..2018-12-31",
        "--period",
        "2019-01-01..",
        "--represented",
        "yes",
        "--asylum-type",
        "defensive",
        "--format",
        "json",
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["period"] for r in rows] == ["..2018-12-31", "2019-01-01.."]
    assert (
        rows[1]["grants"]
        == ref_counts(
            lambda d: (
                d["represented"]
                and d["asylum_type"] == "defensive"
                and d["decision_date"] >= dt.date(2019, 1, 1)
            )
        )[0]
    )


def test_cli_court_names_and_language_profile(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rate", "--db", str(db), "--by", "court")
    assert code == 0 and "NEW YORK (NYC)" in out
    code, out, _ = run(capsys, "rate", "--db", str(db), "--by", "court", "--format", "csv")
    assert "NEW YORK (NYC)" in out
    code, out, _ = run(capsys, "rate", "--db", str(db), "--by", "court", "--format", "json")
    assert {r["court_name"] for r in json.loads(out)} >= {"NEW YORK"}
    code, out, _ = run(capsys, "language", "MAN", "--db", str(db), "--format", "json")
    profile = json.loads(out)
    assert code == 0 and profile["language_code"] == "MAN"
    assert (profile["rate"]["grants"], profile["rate"]["decisions"]) == tuple(
        ref_counts(lambda d: d["language_code"] == "MAN")[i] for i in (0, 3)
    )
    code, out, err = run(capsys, "judge", "JA1", "--db", str(db), "--custody", "D")
    assert code == 0 and "excluded" in out and "custody D" in out


def test_lookup_id_column_from_the_data_is_quoted() -> None:
    import duckdb

    from asylumstats.model.sql import JUDGES, lookup_sql

    con = duckdb.connect()
    con.execute(
        'CREATE TABLE tbllookupjudge ("idn judge" VARCHAR, judge_code VARCHAR, judge_name VARCHAR)'
    )
    con.execute("INSERT INTO tbllookupjudge VALUES ('1', 'AB', 'OLD'), ('2', 'AB', 'NEW')")

    def columns(table: str) -> list[str]:
        rows = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
        return [r[0] for r in rows]

    sql = lookup_sql(JUDGES, columns)
    assert sql is not None and con.execute(sql).fetchall() == [("AB", "NEW")]


@pytest.mark.parametrize(
    "command",
    [
        ["rate", "--by", "court"],
        ["change", "--base", "..2018-12-31", "--current", "2019-01-01.."],
        ["judge", "JA1"],
        ["court", "NYC"],
        ["nationality", "CH"],
        ["language", "MAN"],
        ["appeals", "--by", "court"],
        ["wait", "--by", "court"],
        ["backlog", "--by", "court"],
    ],
)
def test_every_query_command_takes_every_filter(
    db: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    filters = {
        "--judge": "JA1,JB2",
        "--court": "NYC",
        "--hearing-location": "NY1",
        "--nationality": "CH,MX",
        "--language": "MAN",
        "--custody": "N",
        "--represented": "no",
        "--asylum-type": "defensive",
    }
    own = {"judge": "--judge", "court": "--court", "nationality": "--nationality"}
    own["language"] = "--language"
    args = [a for k, v in filters.items() if k != own.get(command[0]) for a in (k, v)]
    code, out, err = run(capsys, *command, "--db", str(db), *args, "--format", "json")
    assert code == 0, err
    json.loads(out)
    code, _, err = run(capsys, *command, "--db", str(db), "--custody", "QQ", "--format", "json")
    assert code == 3 and "Unknown custody code 'QQ'" in err
