"""``backlog --next-hearing``: pending cases by the year of their next scheduled hearing,
against a pure-Python restatement of the rule on hand-made and random data."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from appeals_fixtures import RELEASE, build, hand_data, random_data
from asylumstats.engines import Engine, open_engine
from asylumstats.errors import UserError
from asylumstats.metrics.next_hearing import next_hearing_result
from cli_helpers import run


def _schedule(data: Any, seed: int = 3) -> list[tuple[int, int, dt.datetime]]:
    rng = random.Random(seed)
    rows = []
    sid = 1
    for p in data.proceedings:
        for _ in range(rng.choice([0, 1, 2, 3])):
            day = RELEASE + dt.timedelta(days=rng.randint(-700, 1500))
            rows.append((sid, p["idnproceeding"], dt.datetime(day.year, day.month, day.day)))
            sid += 1
    return rows


def _expected(data: Any, schedule: list, at: dt.date) -> Counter[tuple[str, int | None]]:
    """Pending at ``at`` (latest proceeding begun by then, not completed by then) → court and
    year of its first hearing after ``at``."""
    low = dt.date(1950, 1, 1)
    latest: dict[Any, tuple[dt.date, int, dict]] = {}
    for p in data.proceedings:
        if p.get("idncase") is None:
            continue
        starts = [
            v.date()
            for v in (p.get("osc_date"), p.get("input_date"))
            if v is not None and low <= v.date() <= RELEASE
        ]
        if not starts or min(starts) > at:
            continue
        cand = (min(starts), p["idnproceeding"], p)
        if p["idncase"] not in latest or cand[:2] > latest[p["idncase"]][:2]:
            latest[p["idncase"]] = cand
    nxt: dict[int, dt.date] = {}
    for _sid, pid, when in schedule:
        if when.date() > at and (pid not in nxt or when.date() < nxt[pid]):
            nxt[pid] = when.date()
    out: Counter[tuple[str, int | None]] = Counter()
    for _start, pid, p in latest.values():
        comp = p["comp_date"].date() if p["comp_date"] is not None else None
        if comp is None or comp > at:
            court = (p["base_city_code"] or "").strip().upper()
            out[(court, nxt[pid].year if pid in nxt else None)] += 1
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Any, list]]:
    data = random_data(hand_data())
    path = build(tmp_path_factory.mktemp("nh") / "nh.duckdb", data)
    schedule = _schedule(data)
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schedule (idnschedule BIGINT, idnproceeding BIGINT, adj_date TIMESTAMP)"
    )
    con.executemany("INSERT INTO schedule VALUES (?, ?, ?)", schedule)
    con.close()
    eng = open_engine(path)
    yield eng, data, schedule
    eng.close()


@pytest.mark.parametrize("at", [RELEASE, dt.date(2025, 3, 15)])
def test_by_court_matches_the_reference(built: tuple[Engine, Any, list], at: dt.date) -> None:
    eng, data, schedule = built
    result = next_hearing_result(eng, "court", at=at)
    got = Counter({(r["court_code"], r["next_hearing_year"]): r["pending"] for r in result.rows})
    want = _expected(data, schedule, at)
    assert got == want and sum(want.values()) > 20
    assert any(year is None for _, year in want)  # some pending cases have no hearing booked
    for court in {c for c, _ in want}:
        shares = [r["share"] for r in result.rows if r["court_code"] == court]
        assert sum(shares) == pytest.approx(1.0)


def test_national_and_errors(built: tuple[Engine, Any, list]) -> None:
    eng, data, schedule = built
    rows = next_hearing_result(eng).rows
    want = Counter()
    for (_court, year), n in _expected(data, schedule, RELEASE).items():
        want[year] += n
    assert {r["next_hearing_year"]: r["pending"] for r in rows} == dict(want)
    with pytest.raises(UserError, match="fiscal_year"):
        next_hearing_result(eng, "fiscal_year")


def test_cli_on_a_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from asylumstats.ingest import ingest_release
    from asylumstats.sample.release import generate_release

    generate_release(tmp_path / "s.zip", 600, seed=4)
    ingest_release(tmp_path / "s.zip", tmp_path / "s.duckdb", progress=False)
    args = ["backlog", "--db", str(tmp_path / "s.duckdb"), "--next-hearing", "--format", "json"]
    code, out, _ = run(capsys, *args)
    assert code == 0
    rows = json.loads(out)
    code, out2, _ = run(capsys, "backlog", "--db", str(tmp_path / "s.duckdb"), "--format", "json")
    (total,) = json.loads(out2)
    assert sum(r["pending"] for r in rows) == total["pending"]
    assert all(r["next_hearing_year"] is None or r["next_hearing_year"] >= 2026 for r in rows)
