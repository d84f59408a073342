"""Releases kept side by side: ingest keeps the old release, ``releases`` lists them,
``--release`` chooses one (default: the newest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asylumstats.errors import UserError
from asylumstats.ingest import ingest_release
from asylumstats.releases.store import list_releases, store_dir
from asylumstats.sample.release import generate_release
from cli_helpers import run


@pytest.fixture(scope="module")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("store")
    out = {}
    for day, seed in (("2026-06-01", 1), ("2026-07-01", 2), ("2026-08-01", 3)):
        out[day] = base / f"{day}.zip"
        generate_release(out[day], 400, seed=seed, release_date=day)
    return out


def _names(db: Path) -> list[tuple[str, bool]]:
    return [(r.release, r.current) for r in list_releases(db)]


def test_ingest_keeps_releases_newest_current(zips: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "eoir.duckdb"
    ingest_release(zips["2026-07-01"], db, progress=False)
    assert _names(db) == [("EOIR Case Data 2026-0701", True)]
    ingest_release(zips["2026-08-01"], db, progress=False)
    assert _names(db) == [("EOIR Case Data 2026-0801", True), ("EOIR Case Data 2026-0701", False)]
    assert (store_dir(db) / "EOIR Case Data 2026-0701.duckdb").is_file()
    # an older release goes beside the others; the newest stays at the --db path
    ingest_release(zips["2026-06-01"], db, progress=False)
    assert _names(db) == [
        ("EOIR Case Data 2026-0801", True),
        ("EOIR Case Data 2026-0701", False),
        ("EOIR Case Data 2026-0601", False),
    ]
    # the same release again replaces itself
    ingest_release(zips["2026-08-01"], db, progress=False)
    assert len(list_releases(db)) == 3


def test_releases_command_and_release_option(
    zips: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "eoir.duckdb"
    for day in ("2026-07-01", "2026-08-01"):
        ingest_release(zips[day], db, progress=False)
    code, out, _ = run(capsys, "releases", "--db", str(db), "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["release_date"] for r in rows] == ["2026-08-01", "2026-07-01"]
    for r in rows:
        assert set(r) >= {"release", "release_date", "rows", "ingested_at", "synthetic"}
        assert r["synthetic"] is True and r["rows"] > 400
    args = ["rate", "--db", str(db), "--by", "fiscal_year", "--format", "json"]
    _, newest, _ = run(capsys, *args)
    _, chosen, _ = run(capsys, *args, "--release", "2026-07-01")
    kept = store_dir(db) / "EOIR Case Data 2026-0701.duckdb"
    _, direct, _ = run(capsys, "rate", "--db", str(kept), "--by", "fiscal_year", "--format", "json")
    assert json.loads(chosen) == json.loads(direct)
    assert json.loads(chosen) != json.loads(newest)
    code, _, err = run(capsys, *args, "--release", "1999-01-01")
    assert code != 0 and "No release '1999-01-01'" in err and "Traceback" not in err


def test_failed_swap_leaves_the_previous_release(
    zips: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from asylumstats.ingest import load

    db = tmp_path / "eoir.duckdb"
    ingest_release(zips["2026-07-01"], db, progress=False)
    before = db.read_bytes()

    def broken_swap(src: Path, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(load, "_swap", broken_swap)
    with pytest.raises(Exception, match="disk space|No space"):
        ingest_release(zips["2026-08-01"], db, progress=False)
    assert db.read_bytes() == before
    assert _names(db) == [("EOIR Case Data 2026-0701", True)]
    assert not list(tmp_path.glob("eoir.duckdb.tmp-*"))


QUERY_COMMANDS = (
    "rate", "change", "judge", "court", "nationality", "language", "appeals", "wait",
    "backlog", "cohorts", "validate", "export", "serve", "report",
)  # fmt: skip


@pytest.mark.parametrize("command", QUERY_COMMANDS)
def test_every_query_command_shows_release_in_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "--release" in out and "--db" in out


@pytest.fixture(scope="module")
def two(zips: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("two") / "eoir.duckdb"
    for day in ("2026-07-01", "2026-08-01"):
        ingest_release(zips[day], db, progress=False)
    return db


@pytest.mark.parametrize(
    "args",
    [
        ("cohorts", "--format", "json"),
        ("validate", "--format", "json"),
        ("backlog", "--by", "court", "--format", "json"),
        ("wait", "--format", "json"),
        ("report",),
    ],
)
def test_release_option_equals_the_kept_file(
    two: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    kept = store_dir(two) / "EOIR Case Data 2026-0701.duckdb"
    code, chosen, _ = run(capsys, *args, "--db", str(two), "--release", "2026-07-01")
    assert code == 0
    _, direct, _ = run(capsys, *args, "--db", str(kept))
    _, newest, _ = run(capsys, *args, "--db", str(two))
    assert chosen == direct and chosen != newest


def test_export_takes_release(
    two: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import duckdb

    out = tmp_path / "pq"
    code, _, _ = run(capsys, "export", "--db", str(two), "--release", "0701", "--parquet", str(out))
    assert code == 0
    got = duckdb.sql(f"SELECT value FROM '{out}/release_info.parquet' WHERE key = 'release'")
    assert got.fetchall() == [("EOIR Case Data 2026-0701",)]


def test_unknown_or_missing_release_is_one_sentence(
    two: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (("validate",), ("cohorts",), ("judge", "X"), ("serve",)):
        code, out, err = run(capsys, *command, "--db", str(two), "--release", "1999-01-01")
        assert code != 0 and out == "" and "Traceback" not in err, command
        assert err.strip().splitlines() == [
            "asylumstats: No release '1999-01-01' is kept; the releases kept are: "
            "EOIR Case Data 2026-0801, EOIR Case Data 2026-0701."
        ], command
    code, _, err = run(capsys, "rate", "--db", str(two), "--release", "EOIR")  # two match
    assert code != 0 and "matches several releases" in err
    code, _, err = run(capsys, "rate", "--db", str(two), "--release")
    assert code == 2 and "--release" in err and "Traceback" not in err


def test_python_api_opens_a_kept_release(two: Path) -> None:
    import asylumstats

    with asylumstats.open(two, release="2026-07-01") as db:
        assert db.release["release"] == "EOIR Case Data 2026-0701"
        old = db.rate(by="fiscal_year").rows
    with asylumstats.open(store_dir(two) / "EOIR Case Data 2026-0701.duckdb") as db:
        assert db.rate(by="fiscal_year").rows == old
    with asylumstats.open(two) as db:
        assert db.release["release"] == "EOIR Case Data 2026-0801"
    with pytest.raises(UserError, match="No release '1999-01-01' is kept"):
        asylumstats.open(two, release="1999-01-01")
