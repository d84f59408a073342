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
