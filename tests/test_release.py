"""Opening releases: zips (Deflate, Deflate64, 7z fallback), folders, layout, bad input."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from asylumstats.errors import UserError
from asylumstats.ingest import ingest_release
from asylumstats.release import archive as archive_mod
from asylumstats.release import open_release, parse_count_txt, parse_release_date
from ingest_fixtures import minimal_tables, write_release, zip_deflate, zip_deflate64


def _cases(db: Path) -> list[tuple[int, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT idncase, nat FROM cases ORDER BY 1").fetchall()
    finally:
        con.close()


def test_folder_layout(tmp_path: Path) -> None:
    top = write_release(tmp_path, counts={"A_TblCase": 2}, synthetic=True)
    with open_release(top) as rel:
        assert rel.name == "EOIR Case Data 2026-0701"
        assert rel.release_date == date(2026, 7, 1)
        assert rel.synthetic
        assert rel.tables["A_TblCase"] == "EOIR Case Data/A_TblCase.csv"
        assert rel.lookups["tblLookupJudge"] == "Lookup/tblLookupJudge.csv"
        assert rel.count_for("a_tblcase") == 2
    # The parent folder works too (top folder found inside it).
    with open_release(tmp_path) as rel:
        assert rel.name == "EOIR Case Data 2026-0701" and rel.release_date == date(2026, 7, 1)


def test_deflate_zip(tmp_path: Path) -> None:
    top = write_release(tmp_path / "src")
    z = zip_deflate(top, tmp_path / "release.zip")
    with open_release(z) as rel:
        assert rel.name == "EOIR Case Data 2026-0701" and not rel.synthetic
    ingest_release(z, tmp_path / "db.duckdb", progress=False)
    assert _cases(tmp_path / "db.duckdb") == [(1, "MX"), (2, "MX")]


def test_deflate64_zip(tmp_path: Path) -> None:
    top = write_release(tmp_path / "src")
    z = zip_deflate64(top, tmp_path / "release.zip")
    with zipfile.ZipFile(z) as zf:
        assert {i.compress_type for i in zf.infolist() if i.file_size > 200} == {9}
    report = ingest_release(z, tmp_path / "db.duckdb", progress=False)
    assert report.release_date == date(2026, 7, 1)
    assert _cases(tmp_path / "db.duckdb") == [(1, "MX"), (2, "MX")]


def test_deflate64_via_7z_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = write_release(tmp_path / "src")
    z = zip_deflate64(top, tmp_path / "release.zip")
    real_open = zipfile.ZipFile.open

    def no_deflate64(self: zipfile.ZipFile, name: object, *a: object, **kw: object) -> object:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(str(name))
        if info.compress_type == 9:
            raise NotImplementedError("That compression method is not supported")
        return real_open(self, name, *a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", no_deflate64)
    ingest_release(z, tmp_path / "db.duckdb", progress=False)
    assert _cases(tmp_path / "db.duckdb") == [(1, "MX"), (2, "MX")]


def test_flat_zip_and_case_insensitive_names(tmp_path: Path) -> None:
    z = tmp_path / "flat.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for stem, data in minimal_tables().items():
            zf.writestr(f"{stem.upper()}.CSV", data)
        zf.writestr("count.txt", b"A_TblCase.csv\t2\n")
    with open_release(z) as rel:
        assert rel.name == "flat" and rel.release_date is None
        assert set(rel.tables) == {"A_TblCase", "B_TblProceeding", "tbl_Court_Appln"}
        assert rel.count_for("A_TblCase") == 2


def test_parse_helpers() -> None:
    assert parse_release_date("EOIR Case Data 2026-0401") == date(2026, 4, 1)
    assert parse_release_date("release 2025-11-03") == date(2025, 11, 3)
    assert parse_release_date("EOIR Case Data") is None
    assert parse_count_txt(b"A_TblCase\t12\r\nB_TblProceeding.csv\t1,234\n\nbad line\n") == {
        "a_tblcase": 12,
        "b_tblproceeding": 1234,
    }


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nope.zip", "does not exist"),
        (lambda p: _write(p / "x.zip", b"hello, not a zip"), "is not a zip file"),
        (lambda p: _write(p / "empty.zip", b""), "empty file"),
        (lambda p: _truncated(p), "truncated or corrupt"),
        (lambda p: _without(p, "tbl_Court_Appln"), r"tbl_Court_Appln\.csv not found"),
        (lambda p: _empty_table(p), "A_TblCase.csv is empty"),
    ],
)
def test_bad_input(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(UserError, match=message):
        ingest_release(path, tmp_path / "db.duckdb", progress=False)
    assert not list(tmp_path.glob("db.duckdb*"))


def test_corrupt_member_data(tmp_path: Path) -> None:
    top = write_release(
        tmp_path / "src", {**minimal_tables(), "A_TblCase": minimal_tables()["A_TblCase"] * 50}
    )
    z = zip_deflate(top, tmp_path / "r.zip")
    data = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("EOIR Case Data 2026-0701/EOIR Case Data/A_TblCase.csv")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 5, start + 40):
        data[i] ^= 0x5A
    z.write_bytes(bytes(data))
    with pytest.raises(UserError, match="truncated or corrupt"):
        ingest_release(z, tmp_path / "db.duckdb", progress=False)
    assert not list(tmp_path.glob("db.duckdb*"))


def test_seven_zip_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_mod.shutil, "which", lambda _name: None)
    with pytest.raises(UserError, match="7z is not installed"):
        archive_mod._SevenZipStream(tmp_path / "x.zip", "m", "m")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncated(tmp: Path) -> Path:
    z = zip_deflate(write_release(tmp / "src"), tmp / "full.zip")
    data = z.read_bytes()
    return _write(tmp / "truncated.zip", data[: len(data) // 2])


def _without(tmp: Path, stem: str) -> Path:
    tables = minimal_tables()
    del tables[stem]
    return write_release(tmp / "src", tables)


def _empty_table(tmp: Path) -> Path:
    return write_release(tmp / "src", {**minimal_tables(), "A_TblCase": b""})
