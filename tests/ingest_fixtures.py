"""Helpers for the ingest tests: tiny hand-made releases written byte by byte."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from asylumstats.ingest.tables import APPLICATIONS, CASES, PROCEEDINGS, TableSpec

TOP = "EOIR Case Data 2026-0701"

LOOKUP_FILES: dict[str, bytes] = {
    "tblLookupAlienNat": b'strCode\tstrDescription\tNacara\r\n"MX"\t"MEXICO"\tN\r\n'
    b"GT\tGUATEMALA\tN\r\nHO \tHONDURAS\t\r\n??\tUNKNOWN NATIONALITY\t\r\n",
    "tblLanguage": b"strCode\tstrDescription\nSP\tSPANISH\nENG\tENGLISH\nMAM\tMAM\n",
    "tblLookupCaseType": b"strCode\tstrDescription\nRMV\tREMOVAL\nDEP\tDEPORTATION\n",
    "tblLookupCustodyStatus": b"strCode\tstrDescription\nD\tDETAINED\nN\tNEVER DETAINED\n"
    b"R\tRELEASED\n",
    "tblLookupBaseCity": b"BASE_CITY_CODE\tBASE_CITY_NAME\tBASE_CITY\tBASE_STATE\n"
    b"NYC\tIMMIGRATION COURT\tNEW YORK\tNY\nHOU\tIMMIGRATION COURT\tHOUSTON\tTX\n",
    "tblLookupJudge": b'idnJudge\tJUDGE_CODE\tJUDGE_NAME\n1\tAB\t"Smith, Ann"\n'
    b"2\tCD\tJones\x00, Bob\n",
    "tblLookUp_Appln": b"strcode\tstrdescription\nASYL\tASYLUM\nWCAT\tCAT\n",
    "tblLookupCourtAppDecisions": b"strCourtApplnDecCode\tstrCourtApplnDecDesc\n"
    b"G\tGRANT\nD\tDENY\n",
}


def header(spec: TableSpec) -> list[str]:
    return [c.name for c in spec.columns]


def row(spec: TableSpec, values: Mapping[str, str]) -> list[str]:
    """A full-width row in the spec's column order; unnamed columns blank."""
    unknown = set(values) - {c.name for c in spec.columns}
    assert not unknown, unknown
    return [values.get(c.name, "") for c in spec.columns]


def line(fields: Sequence[str | bytes], eol: bytes = b"\n") -> bytes:
    parts = [f if isinstance(f, bytes) else f.encode("cp1252") for f in fields]
    return b"\t".join(parts) + eol


def table_bytes(
    spec: TableSpec,
    rows: Sequence[Sequence[str | bytes]],
    eol: bytes = b"\n",
    head: Sequence[str] | None = None,
) -> bytes:
    return line(head or header(spec), eol) + b"".join(line(r, eol) for r in rows)


CASE_BASE = {
    "ALIEN_CITY": "HOUSTON",
    "ALIEN_STATE": "TX",
    "ALIEN_ZIPCODE": "77001",
    "NAT": "MX",
    "LANG": "SP",
    "CUSTODY": "N",
    "CASE_TYPE": "RMV",
    "E_28_DATE": "2024-09-12 00:00:00.000",
    "C_ASY_TYPE": "E",
    "Sex": "M",
    "LPR": "0",
    "CASEPRIORITY_CODE": "UC",
}


def case(idn: int, **kw: str) -> list[str]:
    return row(CASES, {"IDNCASE": str(idn), **CASE_BASE, **kw})


def proceeding(idn: int, idncase: int, **kw: str) -> list[str]:
    base = {
        "IDNPROCEEDING": str(idn),
        "IDNCASE": str(idncase),
        "OSC_DATE": "2020-01-02 00:00:00.000",
        "BASE_CITY_CODE": "NYC",
        "IJ_CODE": "AB",
        "COMP_DATE": "2024-03-04 00:00:00",
        "CASE_TYPE": "RMV",
        "NAT": "MX",
        "CUSTODY": "N",
    }
    return row(PROCEEDINGS, {**base, **kw})


def application(idn: int, idnproc: int, idncase: int, **kw: str) -> list[str]:
    base = {
        "IDNPROCEEDINGAPPLN": str(idn),
        "IDNPROCEEDING": str(idnproc),
        "IDNCASE": str(idncase),
        "APPL_CODE": "ASYL",
        "APPL_RECD_DATE": "2021-05-06 00:00:00.000",
        "APPL_DEC": "G",
    }
    return row(APPLICATIONS, {**base, **kw})


def minimal_tables() -> dict[str, bytes]:
    return {
        "A_TblCase": table_bytes(CASES, [case(1), case(2)]),
        "B_TblProceeding": table_bytes(PROCEEDINGS, [proceeding(10, 1), proceeding(11, 2)]),
        "tbl_Court_Appln": table_bytes(APPLICATIONS, [application(100, 10, 1)]),
    }


def write_release(
    root: Path,
    tables: Mapping[str, bytes] | None = None,
    *,
    lookups: Mapping[str, bytes] | None = None,
    counts: Mapping[str, int] | None = None,
    synthetic: bool = False,
    top: str = TOP,
) -> Path:
    """Write an unpacked release under ``root``; returns the top folder."""
    base = root / top
    data = base / "EOIR Case Data"
    look = base / "Lookup"
    data.mkdir(parents=True)
    look.mkdir()
    for stem, content in (minimal_tables() if tables is None else tables).items():
        (data / f"{stem}.csv").write_bytes(content)
    for stem, content in (LOOKUP_FILES if lookups is None else lookups).items():
        (look / f"{stem}.csv").write_bytes(content)
    if counts is not None:
        (base / "Count.txt").write_bytes(
            b"".join(f"{k}\t{v}\r\n".encode() for k, v in counts.items())
        )
    if synthetic:
        (base / "SYNTHETIC.txt").write_text("synthetic\n")
    return base


def zip_deflate(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            zf.write(p, p.relative_to(folder.parent).as_posix())
    return out


def zip_deflate64(folder: Path, out: Path) -> Path:
    exe = shutil.which("7z")
    if exe is None:  # the product reads Deflate64 without 7z; only making such zips needs it
        pytest.skip("7z is not installed (needed to make Deflate64 test zips)")
    subprocess.run(
        [exe, "a", "-tzip", "-mm=Deflate64", "-bd", "-bso0", str(out), folder.name],
        cwd=folder.parent,
        check=True,
    )
    return out
