"""``diff OLD NEW``: two releases with known differences, counted from the raw files.

NEW is OLD with: two cases removed, one application added, three asylum denials re-coded as
grants, and codes of ten proceedings re-padded with trailing spaces (the same value after the
ingest's trimming: not a change). The expected counts are derived here from the raw lines,
not from the product's code.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from asylumstats.releases.diff import diff_releases
from cli_helpers import run

ASYLUM_CASE_TYPES = {"RMV", "DEP", "EXC", "AOC"}


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = path.read_bytes().decode("cp1252").split("\r\n")
    header = lines[0].split("\t")
    return header, [ln.split("\t") for ln in lines[1:] if ln]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    text = "\r\n".join("\t".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode("cp1252"))


def _clean(header: list[str], row: list[str]) -> bool:
    """A plain row: right field count, digits in the id, no NUL, ASCII."""
    return (
        len(row) == len(header)
        and row[0].isdigit()
        and all("\x00" not in v and v.isascii() for v in row)
    )


def _fy(date: str) -> int:
    y, m = int(date[:4]), int(date[5:7])
    return y + (m >= 10)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from asylumstats.sample.release import generate_release

    base = tmp_path_factory.mktemp("diff")
    z = base / "old.zip"
    generate_release(z, 1500, seed=7)
    with zipfile.ZipFile(z) as zf:
        zf.extractall(base / "old")
    old_top = next((base / "old").iterdir())
    new_top = base / "new" / "EOIR Case Data 2026-0801"
    shutil.copytree(old_top, new_top)
    data = new_top / "EOIR Case Data"
    truth: dict = {}

    # two cases removed (cases with no asylum application, so no asylum figure moves)
    ph, prow = _read(data / "B_TblProceeding.csv")
    case_of = {
        r[ph.index("IDNPROCEEDING")].strip(): r[ph.index("IDNCASE")].strip()
        for r in prow
        if _clean(ph, r)
    }
    ah, arow = _read(data / "tbl_Court_Appln.csv")
    asylum_cases = {
        case_of.get(r[ah.index("IDNPROCEEDING")].strip())
        for r in arow
        if not _clean(ah, r) or r[ah.index("APPL_CODE")].strip() == "ASYL"
    }
    h, rows = _read(data / "A_TblCase.csv")
    idncase = h.index("IDNCASE")
    clean = [
        i for i, r in enumerate(rows) if _clean(h, r) and r[idncase].strip() not in asylum_cases
    ]
    gone = {clean[10], clean[20]}
    truth["removed_cases"] = len(gone)
    _write(data / "A_TblCase.csv", h, [r for i, r in enumerate(rows) if i not in gone])

    # proceedings: completion date and case type per proceeding; re-pad ten rows' codes
    h, rows = _read(data / "B_TblProceeding.csv")
    pi = {name: h.index(name) for name in ("IDNPROCEEDING", "COMP_DATE", "CASE_TYPE")}
    procs = {
        r[0]: (r[pi["COMP_DATE"]].strip(), r[pi["CASE_TYPE"]].strip()) for r in rows if _clean(h, r)
    }
    padded = 0
    for r in rows:
        if padded < 10 and _clean(h, r) and r[h.index("BASE_CITY_CODE")].strip():
            for name in ("BASE_CITY_CODE", "IJ_CODE", "CASE_TYPE"):
                r[h.index(name)] = r[h.index(name)].strip() + "   "
            padded += 1
    _write(data / "B_TblProceeding.csv", h, rows)

    # three asylum denials re-coded as grants; one application added
    h, rows = _read(data / "tbl_Court_Appln.csv")
    ai = {n: h.index(n) for n in ("IDNPROCEEDING", "APPL_CODE", "APPL_DEC")}
    recoded: Counter[int] = Counter()
    for r in rows:
        if sum(recoded.values()) == 3:
            break
        if not _clean(h, r) or r[ai["APPL_CODE"]].strip() != "ASYL":
            continue
        if r[ai["APPL_DEC"]].strip() != "D":
            continue
        comp, ctype = procs.get(r[ai["IDNPROCEEDING"]], ("", ""))
        if not comp or ctype not in ASYLUM_CASE_TYPES:
            continue
        r[ai["APPL_DEC"]] = "G"
        recoded[_fy(comp)] += 1
    assert sum(recoded.values()) == 3
    truth["recoded_by_fy"] = recoded
    extra = list(next(r for r in rows if _clean(h, r) and r[ai["APPL_CODE"]].strip() != "ASYL"))
    extra[0] = "99999999"
    rows.append(extra)
    _write(data / "tbl_Court_Appln.csv", h, rows)
    # an exact duplicate row (the real charges table has ~81 k): the same record, not a change
    h, rows = _read(data / "B_TblProceedCharges.csv")
    rows.append(next(r for r in rows if _clean(h, r)))
    _write(data / "B_TblProceedCharges.csv", h, rows)
    count = new_top / "Count.txt"
    lines = count.read_text().splitlines()
    fixed = []
    for ln in lines:
        stem, n = ln.split("\t")
        delta = {"A_TblCase": -2, "tbl_Court_Appln": 1, "B_TblProceedCharges": 1}.get(stem, 0)
        fixed.append(f"{stem}\t{int(n) + delta}")
    count.write_text("\r\n".join(fixed) + "\r\n")
    return {"old": z, "old_dir": old_top, "new": new_top, "truth": truth}


def test_diff_counts_exactly(releases: dict) -> None:
    result = diff_releases(releases["old"], releases["new"])
    assert result["old"] == {"release": "EOIR Case Data 2026-0701", "release_date": "2026-07-01"}
    assert result["new"] == {"release": "EOIR Case Data 2026-0801", "release_date": "2026-08-01"}
    t = result["tables"]
    cases = t["A_TblCase"]
    assert (cases["vanished"], cases["added"], cases["changed"]) == (2, 0, 0)
    assert cases["new_rows"] == cases["old_rows"] - 2
    assert cases["unchanged"] == cases["old_rows"] - 2
    apps = t["tbl_Court_Appln"]
    assert (apps["vanished"], apps["added"], apps["changed"]) == (0, 1, 3)
    assert apps["changed_columns"] == {"appl_dec": 3}
    assert apps["unchanged"] == apps["old_rows"] - 3
    procs = t["B_TblProceeding"]  # re-padded codes are the same values
    assert (procs["vanished"], procs["added"], procs["changed"]) == (0, 0, 0)
    assert procs["changed_columns"] == {}
    charges = t["B_TblProceedCharges"]
    # the exact duplicate row is quarantined at ingest (a duplicate key: the first row wins)
    assert charges["new_rows"] == charges["old_rows"]
    assert charges["unchanged"] == charges["old_rows"]
    for stem, r in t.items():
        if stem not in ("A_TblCase", "tbl_Court_Appln"):
            assert (r["vanished"], r["added"], r["changed"]) == (0, 0, 0), stem
    assert set(t) >= {"tbl_schedule", "B_TblProceedCharges", "D_TblAssociatedBond"}


def test_diff_metrics_moved(releases: dict) -> None:
    result = diff_releases(releases["old"], releases["new"])
    national = {m["fiscal_year"]: m for m in result["metrics"] if m["figure"] == "national"}
    recoded = releases["truth"]["recoded_by_fy"]
    assert set(national) == set(recoded)
    for fy, k in recoded.items():
        m = national[fy]
        assert m["new_grants"] == m["old_grants"] + k
        assert m["new_decisions"] == m["old_decisions"]  # a denial became a grant
        assert m["change"] == pytest.approx(k / m["old_decisions"])
    judges = [m for m in result["metrics"] if m["figure"] == "judge"]
    assert 1 <= len(judges) <= 3
    assert sum(m["new_grants"] - m["old_grants"] for m in judges) == 3


def test_diff_same_release_is_empty_and_cli_json(
    releases: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(
        capsys, "diff", str(releases["old"]), str(releases["old_dir"]), "--format", "json"
    )
    assert code == 0
    result = json.loads(out)
    assert result["metrics"] == []
    for r in result["tables"].values():
        assert r["vanished"] == r["added"] == r["changed"] == 0
        assert r["unchanged"] > 0 and r["changed_columns"] == {}


def test_diff_missing_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "diff", str(tmp_path / "a.zip"), str(tmp_path / "b.zip"))
    assert code != 0
    assert "does not exist" in err and "Traceback" not in err
