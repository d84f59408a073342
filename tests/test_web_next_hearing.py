"""``/backlog/next-hearing``: the next-hearing view on the web, equal to the metric."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from asylumstats.engines import open_engine
from asylumstats.ingest import ingest_release
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.next_hearing import next_hearing_result
from asylumstats.sample.release import generate_release
from asylumstats.web.app import create_app


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("webnh")
    generate_release(base / "s.zip", 700, seed=12)
    ingest_release(base / "s.zip", base / "s.duckdb", progress=False)
    return base / "s.duckdb"


def test_page_twins_and_filter(db: Path) -> None:
    client = TestClient(create_app(db))
    with open_engine(db) as eng:
        want = next_hearing_result(eng, "court").rows
        court = max(want, key=lambda r: r["pending"])["court_code"]
        want_court = next_hearing_result(eng, None, Filters().narrowed(court=(court,))).rows
    data = client.get("/backlog/next-hearing.json").json()
    assert data["rows"] == want and data["at"] == "2026-07-01"
    assert sum(r["pending"] for r in data["national"]) == sum(r["pending"] for r in want)
    one = client.get(f"/backlog/next-hearing.json?court={court}").json()
    assert one["national"] == want_court
    page = client.get("/backlog/next-hearing")
    assert page.status_code == 200 and "How far ahead are hearings booked?" in page.text
    assert f"({court})" in page.text and "SYNTHETIC" in page.text
    csv = client.get("/backlog/next-hearing.csv")
    assert csv.text.splitlines()[0] == "court_code,court_name,next_hearing_year,pending,share"
    assert client.get("/backlog/next-hearing?judge=X").status_code == 422
    assert client.get("/backlog/next-hearing.json?court=ZZZ").status_code == 404


def test_backlog_page_links_the_next_hearing_view_when_scheduled(db: Path, tmp_path: Path) -> None:
    import shutil

    import duckdb

    link = 'href="/backlog/next-hearing"'
    page = TestClient(create_app(db)).get("/backlog", params={"by": "court"})
    assert page.status_code == 200 and link in page.text
    assert "year of their next scheduled hearing" in page.text
    # the same release without its schedule: no link to a view it cannot show
    bare = tmp_path / "bare.duckdb"
    shutil.copy(db, bare)
    con = duckdb.connect(str(bare))
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'schedule'"
    ).fetchone()
    con.execute(f"DROP {'VIEW' if kind and kind[0] == 'VIEW' else 'TABLE'} schedule")
    con.close()
    page = TestClient(create_app(bare)).get("/backlog", params={"by": "court"})
    assert page.status_code == 200 and "next-hearing" not in page.text
