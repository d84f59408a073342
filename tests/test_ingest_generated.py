"""Ingest a synthetic release from ``asylumstats.sample`` and compare with its truth exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from asylumstats.ingest import ingest_release
from asylumstats.ingest.tables import DATA_TABLES

sample = pytest.importorskip("asylumstats.sample")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Any]:
    root = tmp_path_factory.mktemp("generated")
    out, truth = root / "release.zip", root / "truth"
    sample.generate_release(out, 3000, 11, truth_dir=truth)
    report = ingest_release(out, root / "db.duckdb", progress=False)
    manifest = json.loads((truth / "manifest.json").read_text(encoding="utf-8"))
    return root, manifest, report


def test_report_matches_manifest(generated: tuple[Path, dict[str, Any], Any]) -> None:
    root, manifest, report = generated
    assert report.release == manifest["release"]
    assert report.release_date.isoformat() == manifest["release_date"]
    assert report.synthetic is True
    con = duckdb.connect(str(root / "db.duckdb"), read_only=True)
    db_report = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT table_name, rows_in_file, loaded, repaired, quarantined, orphans, count_txt "
            "FROM ingest_report"
        ).fetchall()
    }
    con.close()
    for stem, want in manifest["tables"].items():
        got = report.tables[stem].as_dict()
        for key in ("rows_in_file", "loaded", "repaired", "quarantined", "orphans"):
            assert got[key] == want[key], (stem, key)
        assert got["count_txt"] == want["rows_in_file"], stem
        assert db_report[stem][:5] == tuple(
            want[k] for k in ("rows_in_file", "loaded", "repaired", "quarantined", "orphans")
        )


def test_quarantine_lines_match_manifest(generated: tuple[Path, dict[str, Any], Any]) -> None:
    root, manifest, _report = generated
    con = duckdb.connect(str(root / "db.duckdb"), read_only=True)
    rows = con.execute("SELECT table_name, line_number FROM quarantine").fetchall()
    con.close()
    got: dict[str, list[int]] = {}
    for stem, line in rows:
        got.setdefault(stem, []).append(line)
    for stem, info in manifest["tables"].items():
        assert sorted(got.get(stem, [])) == sorted(info["quirks"].get("unrepairable", [])), stem


@pytest.mark.parametrize("spec", DATA_TABLES, ids=lambda s: s.stem)
def test_table_contents_match_truth(generated: tuple[Path, dict[str, Any], Any], spec: Any) -> None:
    root, _manifest, _report = generated
    want = pq.read_table(root / "truth" / f"{spec.db_name}.parquet").to_pylist()
    con = duckdb.connect(str(root / "db.duckdb"), read_only=True)
    cur = con.execute(f"SELECT * FROM {spec.db_name}")
    names = [d[0] for d in cur.description]
    got = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    con.close()
    assert names == [c.db_name for c in spec.columns]
    key = spec.key.lower()
    assert len(got) == len(want)
    by_key = {r[key]: r for r in got}
    assert len(by_key) == len(got)
    for w in want:
        assert by_key[w[key]] == w, (spec.stem, w[key])


def test_lookups_match_truth(generated: tuple[Path, dict[str, Any], Any]) -> None:
    root, _manifest, _report = generated
    con = duckdb.connect(str(root / "db.duckdb"), read_only=True)
    files = sorted((root / "truth" / "lookups").glob("*.parquet"))
    assert files
    for f in files:
        want = pq.read_table(f)
        cur = con.execute(f'SELECT * FROM "{f.stem}"')
        assert [d[0] for d in cur.description] == want.column_names, f.stem
        assert sorted(cur.fetchall(), key=repr) == sorted(
            (tuple(r.values()) for r in want.to_pylist()), key=repr
        ), f.stem
    con.close()


@pytest.mark.skipif(shutil.which("7z") is None, reason="7z is not installed (writes Deflate64)")
def test_deflate64_release(tmp_path: Path) -> None:
    out, truth = tmp_path / "r64.zip", tmp_path / "truth"
    sample.generate_release(out, 1000, 5, compression="deflate64", truth_dir=truth)
    report = ingest_release(out, tmp_path / "db.duckdb", progress=False)
    manifest = json.loads((truth / "manifest.json").read_text(encoding="utf-8"))
    for stem, want in manifest["tables"].items():
        got = report.tables[stem].as_dict()
        assert (got["loaded"], got["repaired"], got["quarantined"], got["orphans"]) == (
            want["loaded"],
            want["repaired"],
            want["quarantined"],
            want["orphans"],
        ), stem
