"""Tests of the synthetic release generator (``asylumstats sample``).

A small independent reader (zipfile + the repair rules of ``sample/validate.py``) re-reads
every data row and must reproduce the truth files exactly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from asylumstats.ingest.tables import DATA_TABLES, TableSpec
from asylumstats.sample import QUIRK_KINDS, generate_release
from asylumstats.sample.validate import disposition, normalize

TOP = "EOIR Case Data 2026-0701"
N = 3000


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    d = tmp_path_factory.mktemp("sample")
    summary = generate_release(d / "r.zip", N, 11, truth_dir=d / "truth")
    return d / "r.zip", d / "truth", summary


def _lines(zf: zipfile.ZipFile, stem: str) -> list[bytes]:
    data = zf.read(f"{TOP}/EOIR Case Data/{stem}.csv")
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def _fields(line: bytes) -> list[str]:
    return line.decode("cp1252").split("\t")


def test_deterministic(tmp_path: Path) -> None:
    a = generate_release(tmp_path / "a.zip", 2000, 5)
    b = generate_release(tmp_path / "b.zip", 2000, 5)
    c = generate_release(tmp_path / "c.zip", 2000, 6)
    digest = [hashlib.sha256((tmp_path / f"{x}.zip").read_bytes()).hexdigest() for x in "abc"]
    assert digest[0] == digest[1] != digest[2]
    assert a == b and a["synthetic"] is True and c["seed"] == 6
    assert not list(tmp_path.glob(".asylumstats-sample-*")) and not list(tmp_path.glob("*.part"))


def test_layout_and_counts(release: tuple[Path, Path, dict[str, Any]]) -> None:
    path, _truth, summary = release
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
        for spec in DATA_TABLES:
            assert f"{TOP}/EOIR Case Data/{spec.stem}.csv" in names
        for stem in (
            "tblLookupJudge",
            "tblLookupBaseCity",
            "tblLookupCourtDecision",
            "tblLookupAlienNat",
            "tblLookupBIADecision",
            "tblLookUp_Appln",
        ):
            assert f"{TOP}/Lookup/{stem}.csv" in names
        count = dict(
            line.split("\t") for line in zf.read(f"{TOP}/Count.txt").decode("ascii").splitlines()
        )
        assert "synthetic" in zf.read(f"{TOP}/SYNTHETIC.txt").decode("ascii").lower()
        for spec in DATA_TABLES:
            lines = _lines(zf, spec.stem)
            assert lines[0].decode("ascii").split("\t") == [c.name for c in spec.columns]
            assert int(count[spec.stem]) == len(lines) - 1
            assert summary["tables"][spec.stem]["rows_in_file"] == len(lines) - 1
            assert all(b"\n" not in x and b"\r" not in x for x in lines)
        judges = zf.read(f"{TOP}/Lookup/tblLookupJudge.csv").decode("cp1252")
        assert '"' in judges and "JUDGE_CODE" in judges.splitlines()[0]
    ratio = {s: summary["tables"][s]["rows_in_file"] / N for s in summary["tables"]}
    assert 1.1 < ratio["B_TblProceeding"] < 1.5 and 1.0 < ratio["tbl_Court_Appln"] < 1.6
    assert 0.06 < ratio["tblAppeal"] < 0.2 and 1.6 < ratio["tbl_RepsAssigned"] < 2.5


def _holds(spec: TableSpec, kind: str, line: bytes) -> bool:
    fields = _fields(line)
    n = len(spec.columns)
    if kind == "tab_shift":
        return len(fields) in (n + 1, n + 2) and disposition(spec, fields)[0] == "merged"
    if kind == "short_row":
        return n - 3 <= len(fields) < n
    if kind == "trailing_na":
        return len(fields) == n + 1 and fields[-1] in ("", "N/A")
    if kind == "nul":
        return b"\x00" in line and len(fields) == n
    if kind == "cp1252":
        return any(b > 0x7F for b in line) and len(fields) == n
    if kind == "null_tokens":
        return len(fields) == n and any(
            f.strip() in ("N/A", "b6", "???", "00", "0000", "0") and normalize(c, f) == ""
            for c, f in zip(spec.columns, fields, strict=True)
            if c.name != "CASEPRIORITY_CODE"
        )
    if kind == "unrepairable":
        return disposition(spec, fields)[0] == "quarantined"
    raise AssertionError(kind)


def test_quirks_at_manifest_lines(release: tuple[Path, Path, dict[str, Any]]) -> None:
    path, truth, _summary = release
    manifest = json.loads((truth / "manifest.json").read_text())
    assert manifest["release"] == TOP and manifest["release_date"] == "2026-07-01"
    seen: Counter[str] = Counter()
    with zipfile.ZipFile(path) as zf:
        for spec in DATA_TABLES:
            info = manifest["tables"][spec.stem]
            lines = _lines(zf, spec.stem)
            marked: dict[int, str] = {}
            for kind, nums in info["quirks"].items():
                for num in nums:
                    assert _holds(spec, kind, lines[num - 1]), (spec.stem, kind, num)
                    assert num not in marked, "two quirks in one row"
                    marked[num] = kind
                    seen[kind] += 1
            # every other row is plain: right field count, ASCII, no NUL, valid types
            for num, line in enumerate(lines[1:], start=2):
                if num in marked:
                    continue
                assert b"\x00" not in line and line.isascii(), (spec.stem, num)
                assert disposition(spec, _fields(line))[0] == "loaded", (spec.stem, num)
            repaired = sum(
                len(info["quirks"][k]) for k in ("tab_shift", "short_row", "trailing_na")
            )
            assert info["repaired"] == repaired
            assert info["quarantined"] == len(info["quirks"]["unrepairable"])
            assert info["loaded"] == info["rows_in_file"] - info["quarantined"]
    assert set(seen) == set(QUIRK_KINDS)
    assert sum(manifest["tables"][s]["orphans"] for s in manifest["tables"]) > 0


def test_truth_equals_reference_reading(release: tuple[Path, Path, dict[str, Any]]) -> None:
    path, truth, _summary = release
    manifest = json.loads((truth / "manifest.json").read_text())
    loaded_ids: dict[str, set[int]] = {}
    with zipfile.ZipFile(path) as zf:
        for spec in DATA_TABLES:
            rows = []
            for line in _lines(zf, spec.stem)[1:]:
                how, values = disposition(spec, _fields(line))
                if values is not None:
                    rows.append(
                        [normalize(c, v) for c, v in zip(spec.columns, values, strict=True)]
                    )
            t = pq.read_table(truth / f"{spec.db_name}.parquet")
            info = manifest["tables"][spec.stem]
            assert t.num_rows == len(rows) == info["rows_in_file"] - info["quarantined"]
            assert t.column_names == [c.db_name for c in spec.columns]
            for j, c in enumerate(spec.columns):
                got = t.column(c.db_name).to_pylist()
                want: list[Any] = [r[j] or None for r in rows]
                if c.db_type == "BIGINT":
                    want = [int(v) if v else None for v in want]
                elif c.db_type == "TIMESTAMP":
                    got = [g.strftime("%Y-%m-%d") if g else None for g in got]
                assert got == want, (spec.stem, c.name)
            loaded_ids[spec.db_name] = set(t.column(spec.key.lower()).to_pylist())
            # orphan count agrees with the loaded parents
            orphans = 0
            if spec.parents:
                cols = {p.column: t.column(p.column).to_pylist() for p in spec.parents}
                for i in range(t.num_rows):
                    if any(
                        cols[p.column][i] is not None
                        and cols[p.column][i] not in loaded_ids[p.table]
                        for p in spec.parents
                    ):
                        orphans += 1
            assert orphans == info["orphans"], spec.stem
    cases = pq.read_table(truth / "cases.parquet").to_pydict()
    tabbed = [v for v in cases["alien_city"] + cases["updated_city"] if v and "\t" in v]
    assert tabbed, "a repaired tab shift keeps its TAB inside the text value"
    assert any(v and not v.isascii() for v in cases["alien_city"])
    assert "??" in set(cases["nat"])


@pytest.mark.skipif(shutil.which("7z") is None, reason="7z not installed")
def test_deflate64(tmp_path: Path) -> None:
    generate_release(tmp_path / "d.zip", 1000, 2, compression="deflate64")
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        infos = zf.infolist()
        assert {i.compress_type for i in infos if i.file_size > 0} == {9}
        assert any(i.filename == f"{TOP}/Count.txt" for i in infos)


def test_distributions(release: tuple[Path, Path, dict[str, Any]]) -> None:
    _path, truth, _summary = release
    procs = pq.read_table(truth / "proceedings.parquet").to_pydict()
    apps = pq.read_table(truth / "applications.parquet").to_pydict()
    appeals = pq.read_table(truth / "appeals.parquet").to_pydict()
    cases = pq.read_table(truth / "cases.parquet").to_pydict()
    pending = sum(v is None for v in procs["comp_date"]) / len(procs["comp_date"])
    assert 0.1 < pending < 0.35
    assert {"I", "A", "B"} <= set(appeals["strfiledby"])
    assert {"RMV", "DEP", "CFR"} <= set(procs["case_type"])
    assert {"I", "E", None} <= set(cases["c_asy_type"])
    proc = {p: i for i, p in enumerate(procs["idnproceeding"])}
    by_court: dict[str, Counter[str]] = {}
    for code, dec, pid in zip(
        apps["appl_code"], apps["appl_dec"], apps["idnproceeding"], strict=True
    ):
        i = proc.get(pid)
        if code != "ASYL" or i is None or procs["comp_date"][i] is None:
            continue
        if procs["case_type"][i] not in ("RMV", "DEP", "EXC", "AOC"):
            continue
        cls = "grant" if dec in tuple("FGCIP") else "deny" if dec == "D" else "x"
        by_court.setdefault(procs["base_city_code"][i], Counter())[cls] += 1
    big = sorted(by_court.items(), key=lambda kv: -sum(kv[1].values()))[:3]
    for _court, cnt in big:
        assert cnt["grant"] > 0 and cnt["deny"] > 0
    total = sum((c for c in by_court.values()), Counter())
    rate = total["grant"] / (total["grant"] + total["deny"])
    assert 0.2 < rate < 0.7
    # pending proceedings have no asylum decision
    done = np.array(
        [
            procs["comp_date"][proc[p]] is not None if p in proc else True
            for p in apps["idnproceeding"]
        ]
    )
    decs = np.array([d or "" for d in apps["appl_dec"]], dtype=object)
    assert not set(decs[~done]) - {""}


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from asylumstats.cli import main

    main(["sample", str(tmp_path / "c.zip"), "--cases", "300", "--seed", "4"])
    err = capsys.readouterr().err
    assert "SYNTHETIC" in err and (tmp_path / "c.zip").exists()
    with pytest.raises(SystemExit) as exc:
        main(["sample", str(tmp_path / "x.zip"), "--cases", "0"])
    assert exc.value.code != 0
    assert "asylumstats:" in capsys.readouterr().err


def test_features_for_fair_comparisons(release: tuple[Path, Path, dict[str, Any]]) -> None:
    """Several asylum decisions per case, riders, in-absentia orders, tenures, missing charging
    dates, and a per-judge truth consistent with the generated decisions."""
    _path, truth, _summary = release
    procs = pq.read_table(truth / "proceedings.parquet").to_pydict()
    apps = pq.read_table(truth / "applications.parquet").to_pydict()
    riders = pq.read_table(truth / "lead_rider.parquet").to_pydict()
    manifest = json.loads((truth / "manifest.json").read_text())
    proc = {p: i for i, p in enumerate(procs["idnproceeding"])}
    merits: Counter[str] = Counter()
    per_case: Counter[int] = Counter()
    outcome: dict[int, str] = {}
    for code, dec, pid, cid in zip(
        apps["appl_code"], apps["appl_dec"], apps["idnproceeding"], apps["idncase"], strict=True
    ):
        i = proc.get(pid)
        if code != "ASYL" or i is None or procs["comp_date"][i] is None:
            continue
        if procs["case_type"][i] not in ("RMV", "DEP", "EXC", "AOC"):
            continue
        if dec in tuple("FGCIPD"):
            merits[procs["ij_code"][i]] += 1
            per_case[cid] += 1
            outcome[cid] = "grant" if dec != "D" else "denial"
    assert sum(n > 1 for n in per_case.values()) > 30  # remands and reopenings: case != merits
    assert procs["absentia"].count("Y") > 20
    assert sum(v is None for v in procs["osc_date"]) > 20
    pairs = [
        (outcome[a], outcome[b])
        for a, b in zip(riders["idnleadcase"], riders["idnridercase"], strict=True)
        if a in outcome and b in outcome
    ]
    assert sum(a == b for a, b in pairs) / len(pairs) > 0.8  # riders follow their lead
    judges = manifest["judges"]
    assert len({tuple(j["tenure_fy"]) for j in judges}) > 50
    assert all(0 < j["standardized_rate"] < 1 for j in judges)
    generated = {j["judge_code"]: j["merits_decisions"] for j in judges}
    # the truth counts every generated decision; a few rows are dropped or quarantined
    total = sum(merits.values())
    assert 0.97 * sum(generated.values()) <= total <= sum(generated.values())
    assert sum(abs(generated.get(k or "", 0) - n) for k, n in merits.items()) <= 0.03 * total
    assert manifest["truth_model"].endswith("SYNTHETIC.")
