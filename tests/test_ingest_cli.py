"""``asylumstats ingest``: JSON and table output, bad input, and the atomic database swap."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from asylumstats.ingest import ingest_release
from asylumstats.ingest import load as load_mod
from cli_helpers import run
from ingest_fixtures import minimal_tables, write_release, zip_deflate


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    top = write_release(tmp_path / "src", counts={"A_TblCase": 2}, synthetic=True)
    z = zip_deflate(top, tmp_path / "r.zip")
    db = tmp_path / "sub" / "dir" / "db.duckdb"  # parent folders are created
    code, out, err = run(capsys, "ingest", str(z), "--db", str(db), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["release"] == "EOIR Case Data 2026-0701"
    assert data["release_date"] == "2026-07-01" and data["synthetic"] is True
    assert data["tables"]["A_TblCase"] == {
        "rows_in_file": 2,
        "loaded": 2,
        "repaired": 0,
        "quarantined": 0,
        "orphans": 0,
        "count_txt": 2,
        "invalid_values": 0,
        "duplicates": 0,
        "duplicate_examples": [],
        "missing_columns": [],
        "unknown_columns": [],
    }
    assert data["warnings"] == []
    assert list(data["tables"])[:3] == ["A_TblCase", "B_TblProceeding", "tbl_Court_Appln"]
    assert db.exists()


def test_table_output_and_env_db(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    top = write_release(tmp_path / "src", synthetic=True, counts={"A_TblCase": 3})
    monkeypatch.setenv("ASYLUMSTATS_DB", str(tmp_path / "env.duckdb"))
    code, out, err = run(capsys, "ingest", str(top))
    assert code == 0, err
    assert "SYNTHETIC DATA" in out and "A_TblCase" in out and "tbl_Court_Appln" in out
    assert "Count.txt says 3" in err
    assert (tmp_path / "env.duckdb").exists()


def _bad_inputs(tmp: Path) -> dict[str, Path]:
    (tmp / "notzip.zip").write_bytes(b"this is not a zip file at all")
    (tmp / "empty.zip").write_bytes(b"")
    full = zip_deflate(write_release(tmp / "a"), tmp / "full.zip").read_bytes()
    (tmp / "trunc.zip").write_bytes(full[: len(full) // 3])
    tables = minimal_tables()
    del tables["B_TblProceeding"]
    missing_table = write_release(tmp / "b", tables)
    tables = minimal_tables()
    tables["A_TblCase"] = b"IDNCASE\tALIEN_CITY\n1\tX\n"
    missing_col = write_release(tmp / "c", tables)
    tables = minimal_tables()
    tables["tbl_Court_Appln"] = b""
    empty_file = write_release(tmp / "d", tables)
    return {
        "not a zip": tmp / "notzip.zip",
        "empty zip": tmp / "empty.zip",
        "truncated": tmp / "trunc.zip",
        "missing table": missing_table,
        "missing column": missing_col,
        "empty file": empty_file,
        "nonexistent": tmp / "nope" / "release.zip",
    }


def test_bad_input_one_line_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = {
        "not a zip": "is not a zip file",
        "empty zip": "empty file",
        "truncated": "truncated or corrupt",
        "missing table": "B_TblProceeding.csv not found",
        "missing column": "has no NAT column",
        "empty file": "tbl_Court_Appln.csv is empty",
        "nonexistent": "does not exist",
    }
    for name, path in _bad_inputs(tmp_path).items():
        db = tmp_path / f"{name}.duckdb"
        code, out, err = run(capsys, "ingest", str(path), "--db", str(db), "--json")
        assert code != 0, name
        assert out == "", name
        lines = err.strip().splitlines()
        assert len(lines) == 1, (name, err)
        assert lines[0].startswith("asylumstats: ") and expected[name] in lines[0], (name, err)
        assert "Traceback" not in err
        assert not list(tmp_path.glob(f"{name}.duckdb*")), name


def test_subprocess_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "asylumstats",
            "ingest",
            str(tmp_path / "missing.zip"),
            "--db",
            str(tmp_path / "db.duckdb"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr


# -- atomicity ------------------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_interrupted_ingest_leaves_previous_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    db = tmp_path / "db.duckdb"
    ingest_release(write_release(tmp_path / "one"), db, progress=False)
    before = _digest(db)
    tables = minimal_tables()
    tables["A_TblCase"] += b"3\tNEWTOWN\n"
    second = write_release(tmp_path / "two", tables)

    def fail(*_a: object, **_k: object) -> None:
        raise exc

    monkeypatch.setattr(load_mod.keys, "orphans", fail)
    with pytest.raises(type(exc)):
        ingest_release(second, db, progress=False)
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.duckdb", "one", "two"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM cases").fetchone() == (2,)
    con.close()


def test_interrupt_inside_block_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "db.duckdb"
    ingest_release(write_release(tmp_path / "one"), db, progress=False)
    before = _digest(db)
    from asylumstats.ingest import blocks

    def boom(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(blocks.TableReader, "_block", boom)
    with pytest.raises(KeyboardInterrupt):
        ingest_release(write_release(tmp_path / "two"), db, progress=False)
    assert _digest(db) == before
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_replaces_db_and_handles_stale_files(tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    ingest_release(write_release(tmp_path / "one"), db, progress=False)
    # A stale temp file from a crashed run with our pid, and a leftover WAL of the old db.
    stale = tmp_path / f"db.duckdb.tmp-{os.getpid()}"
    stale.write_bytes(b"garbage")
    con = duckdb.connect(str(db))
    con.execute("PRAGMA disable_checkpoint_on_shutdown")
    con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
    con.close()
    assert Path(f"{db}.wal").exists()
    tables = minimal_tables()
    tables["A_TblCase"] += b"3\tNEWTOWN\n"
    ingest_release(write_release(tmp_path / "two", tables), db, progress=False)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM cases").fetchone() == (3,)
    assert "scratch" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    con.close()
    assert not stale.exists() and not Path(f"{db}.wal").exists()
