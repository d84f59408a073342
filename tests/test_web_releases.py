"""``/releases``: the releases kept and the latest diff (computed once, then cached)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from asylumstats.ingest import ingest_release
from asylumstats.releases.store import store_dir
from asylumstats.sample.release import generate_release
from asylumstats.web.app import create_app


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("webrel")
    path = base / "eoir.duckdb"
    for day, seed in (("2026-07-01", 1), ("2026-08-01", 2)):
        z = base / f"{day}.zip"
        generate_release(z, 300, seed=seed, release_date=day)
        ingest_release(z, path, progress=False)
    return path


def test_releases_page_and_json(db: Path) -> None:
    client = TestClient(create_app(db))
    page = client.get("/releases")
    assert page.status_code == 200
    html = page.text
    assert "EOIR Case Data 2026-0801" in html and "EOIR Case Data 2026-0701" in html
    assert "What changed from EOIR Case Data 2026-0701 to EOIR Case Data 2026-0801" in html
    assert "SYNTHETIC" in html
    data = client.get("/releases.json").json()
    assert [r["release_date"] for r in data["releases"]] == ["2026-08-01", "2026-07-01"]
    diff = data["latest_diff"]
    assert diff["new"]["release_date"] == "2026-08-01"
    assert set(diff["tables"]) >= {"A_TblCase", "tbl_schedule"}
    cached = list((store_dir(db) / "diffs").glob("*.json"))
    assert len(cached) == 1
    csv = client.get("/releases.csv")
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("release,release_date")


def test_one_release_only(tmp_path: Path) -> None:
    z = tmp_path / "s.zip"
    generate_release(z, 200, seed=9)
    ingest_release(z, tmp_path / "one.duckdb", progress=False)
    client = TestClient(create_app(tmp_path / "one.duckdb"))
    page = client.get("/releases")
    assert page.status_code == 200 and "Only one release is kept so far" in page.text
    assert client.get("/releases.json").json()["latest_diff"] is None


OLD, NEW = "EOIR Case Data 2026-0701", "EOIR Case Data 2026-0801"


def direct_client(db: Path) -> TestClient:
    """The app over the old release's own file, opened directly."""
    return TestClient(create_app(store_dir(db) / f"{OLD}.duckdb"))


def test_release_parameter_chooses_a_kept_release(db: Path) -> None:
    client = TestClient(create_app(db))
    assert client.get("/api/release").json()["release"] == NEW
    for name in ("2026-07-01", OLD, "0701"):  # a date, the full name, a unique part
        assert client.get("/api/release", params={"release": name}).json()["release"] == OLD
    newest = client.get("/api/rates", params={"by": "fiscal_year"}).json()
    old = client.get("/api/rates", params={"by": "fiscal_year", "release": "2026-07-01"}).json()
    # the old release's own database, opened directly, gives the same numbers
    assert old == direct_client(db).get("/api/rates", params={"by": "fiscal_year"}).json()
    assert old != newest
    assert client.get("/rates.json", params={"by": "fiscal_year", "release": OLD}).json() == old
    # the default release, named, is the default
    named = client.get("/api/rates", params={"by": "fiscal_year", "release": "2026-08-01"})
    assert named.json() == newest


def test_unknown_release_is_404_with_one_sentence(db: Path) -> None:
    client = TestClient(create_app(db))
    got = client.get("/api/rates", params={"release": "1999-01-01"})
    assert got.status_code == 404
    error = got.json()["error"]
    assert error.startswith("No release '1999-01-01' is kept") and OLD in error and NEW in error
    assert str(db.parent) not in error  # the server's folders are nobody's business
    page = client.get("/rates", params={"release": "nope"})
    assert page.status_code == 404 and "No release &#39;nope&#39; is kept" in page.text
    assert "release=nope" not in page.text
    twice = client.get("/api/rates", params=[("release", OLD), ("release", NEW)])
    assert twice.status_code == 422


def test_pages_say_which_release_and_links_keep_it(db: Path) -> None:
    client = TestClient(create_app(db))
    html = client.get("/rates", params={"by": "court", "release": "2026-07-01"}).text
    assert "Release <strong>2026-07-01</strong>" in html
    assert "release=2026-07-01" in html
    assert 'href="/change?release=2026-07-01"' in html
    assert 'href="/releases?release=2026-07-01"' in html
    assert 'name="release" value="2026-07-01"' in html  # forms keep it too
    assert f"({OLD}; " in html  # the page names the release it shows
    assert 'href="/rates?by=court">Newest release</a>' in html
    nh = client.get("/backlog/next-hearing.json", params={"release": OLD})
    assert nh.status_code == 200
    assert nh.json() == direct_client(db).get("/backlog/next-hearing.json").json()
    assert nh.json() != client.get("/backlog/next-hearing.json").json()
    plain = client.get("/rates", params={"by": "court"}).text
    assert "Release <strong>2026-08-01</strong>" in plain and "release=" not in plain


def test_server_started_on_a_kept_release(db: Path) -> None:
    client = TestClient(create_app(db, release="2026-07-01"))
    assert client.get("/api/release").json()["release"] == OLD
    assert client.get("/api/release", params={"release": NEW}).json()["release"] == NEW
    assert len(client.get("/releases.json").json()["releases"]) == 2
