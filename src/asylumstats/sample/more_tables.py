"""The other twelve data tables of a synthetic release (schedule, charges, motions, bonds, ...).

Written beside the seven tables of ``sample.model`` from the same chunk of cases: each row
hangs off a generated case, proceeding or appeal. They are small and plain, with a few of the
release's habits: codes padded with spaces, dates without milliseconds, one short row per
table (repaired by ingest) and, in the schedule, one row whose id is ``FC`` (quarantined).
Pending proceedings have their next hearing scheduled after the release date, so the
next-hearing view of ``backlog`` has something to count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from asylumstats.ingest.tables import MORE_TABLES, Column, TableSpec
from asylumstats.sample.model import EPOCH, Chunk, dates, istr
from asylumstats.sample.validate import disposition

#: First id of each table (ids are consecutive per table).
_FIRST_ID = {
    "tbl_schedule": 60_000_001,
    "B_TblProceedCharges": 70_000_001,
    "tbl_Court_Motions": 80_000_001,
    "D_TblAssociatedBond": 1_500_001,
    "tbl_JuvenileHistory": 2_500_001,
    "A_TblCaseIdentifier": 3_500_001,
    "tblAppeal2": 0,  # the appeal's own id
    "tbl_EOIR_Attorney": 1,
    "tblAppealFedCourts": 100_001,
    "tbl_CasePriorityHistory": 110_001,
    "tblThreeMbrReferrals": 120_001,
    "tblProBono": 130_001,
}
_CHARGES = ["212a06Ai", "212a07Ai1", "237a01B", "237a02Aiii", "212a02AiI", "237a01Ci"]
_ADJ_RSN = ["1", "7", "17", "23", "28", "35", "IJ"]


@dataclass
class _Table:
    spec: TableSpec
    stream: Any
    next_id: int
    rows: int = 0
    repaired: int = 0
    quarantined: int = 0
    quirks_done: set[str] = field(default_factory=set)


class MoreTables:
    """Writes ``MORE_TABLES`` into an open release writer, one chunk of cases at a time."""

    def __init__(self, writer: Any, top: str, release_day: int) -> None:
        self.release_day = release_day  # days since ``EPOCH``
        self.tables: dict[str, _Table] = {}
        for spec in MORE_TABLES:
            stream = writer.open(f"{top}/EOIR Case Data/{spec.stem}.csv")
            stream.write(("\t".join(c.name for c in spec.columns) + "\r\n").encode("ascii"))
            self.tables[spec.stem] = _Table(spec, stream, _FIRST_ID[spec.stem])

    def emit(self, chunk: Chunk, rng: np.random.Generator) -> None:
        """Write the rows belonging to this chunk's cases."""
        for stem, make in _MAKERS.items():
            t = self.tables[stem]
            cols = make(self, chunk, rng, t)
            self._write(t, cols, rng)

    def counts(self) -> dict[str, int]:
        return {stem: t.rows for stem, t in self.tables.items()}

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            stem: {
                "rows": t.rows,
                "rows_in_file": t.rows,
                "loaded": t.rows - t.quarantined,
                "repaired": t.repaired,
                "quarantined": t.quarantined,
                "orphans": 0,
                "quirks": {"short_row": t.repaired, "unrepairable": t.quarantined},
            }
            for stem, t in self.tables.items()
        }

    # -- writing ---------------------------------------------------------------------------

    def _write(self, t: _Table, cols: dict[str, np.ndarray], rng: np.random.Generator) -> None:
        spec = t.spec
        n = len(cols[spec.columns[0].name])
        if n == 0:
            return
        raw = [_decorate(c, _column(cols, c, n), rng) for c in spec.columns]
        lines = ["\t".join(fields) for fields in zip(*raw, strict=True)]
        if n >= 3 and "short" not in t.quirks_done:
            fields = lines[1].split("\t")[:-1]
            if disposition(spec, fields)[0] == "short_row":
                lines[1] = "\t".join(fields)
                t.repaired += 1
                t.quirks_done.add("short")
        if n >= 3 and spec.stem == "tbl_schedule" and "bad_id" not in t.quirks_done:
            fields = lines[2].split("\t")
            fields[0] = "FC"
            lines[2] = "\t".join(fields)
            t.quarantined += 1
            t.quirks_done.add("bad_id")
        t.stream.write(("\r\n".join(lines) + "\r\n").encode("ascii"))
        t.rows += n


def _column(cols: dict[str, np.ndarray], col: Column, n: int) -> np.ndarray:
    vals = cols.get(col.name)
    if vals is None:
        return np.full(n, "", dtype=object)
    return vals


def _decorate(col: Column, vals: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Pad some codes with trailing spaces and drop the milliseconds of some dates."""
    out = vals.astype(object)
    if col.kind == "code":
        idx = np.nonzero((rng.random(len(out)) < 0.05) & (out != ""))[0]
        if len(idx):
            out = out.copy()
            out[idx] = out[idx] + "  "
    elif col.kind == "date":
        idx = np.nonzero((rng.random(len(out)) < 0.04) & (out != ""))[0]
        if len(idx):
            out = out.copy()
            out[idx] = [v[:19] for v in out[idx]]
    return [str(v) for v in out.tolist()]


def _ids(t: _Table, n: int) -> np.ndarray:
    ids = istr(np.arange(t.next_id, t.next_id + n, dtype=np.int64))
    t.next_id += n
    return ids


def _days(values: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD ...`` strings → days since ``EPOCH`` (-1 where blank)."""
    out = np.full(len(values), -1, dtype=np.int64)
    mask = values != ""
    if mask.any():
        d = np.array([v[:10] for v in values[mask]], dtype="datetime64[D]")
        out[mask] = (d - EPOCH).astype(np.int64)
    return out


def _pick(values: list[str], rng: np.random.Generator, n: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.integers(0, len(values), n)]


def _sub(table: dict[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in table.items()}


# -- one maker per table ---------------------------------------------------------------------


def _schedule(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    p = chunk.tables["B_TblProceeding"]
    k = 1 + rng.poisson(1.5, len(p["IDNPROCEEDING"]))
    idx = np.repeat(np.arange(len(k)), k)
    s = _sub(p, idx)
    n = len(idx)
    start = _days(s["INPUT_DATE"])
    comp = _days(s["COMP_DATE"])
    pending = comp < 0
    end = np.where(pending, m.release_day, comp)
    span = np.maximum(end - start, 1)
    adj = start + (rng.random(n) * span).astype(np.int64)
    # the last hearing of a pending proceeding is booked ahead (the next scheduled hearing)
    last = np.append(idx[1:] != idx[:-1], True)
    ahead = last & pending & (rng.random(n) < 0.9)  # a tenth have no hearing booked
    adj = np.where(ahead, m.release_day + 7 + rng.exponential(330, n).astype(np.int64), adj)
    cal = np.where(last & ~pending, "I", _pick(["M", "M", "I"], rng, n)).astype(object)
    return {
        "IDNSCHEDULE": _ids(t, n),
        "IDNPROCEEDING": s["IDNPROCEEDING"],
        "IDNCASE": s["IDNCASE"],
        "OSC_DATE": s["OSC_DATE"],
        "GENERATION": np.full(n, "0", dtype=object),
        "SUB_GENERATION": np.full(n, "0", dtype=object),
        "REC_TYPE": np.full(n, "O", dtype=object),
        "LANG": s["LANG"],
        "HEARING_LOC_CODE": s["HEARING_LOC_CODE"],
        "BASE_CITY_CODE": s["BASE_CITY_CODE"],
        "IJ_CODE": s["IJ_CODE"],
        "INPUT_DATE": dates(np.maximum(adj - 60, start)),
        "INPUT_TIME": _pick(["0815", "1102", "1420"], rng, n),
        "ASSIGNMENT_PATH": _pick(["A", "F", "W"], rng, n),
        "CAL_TYPE": cal,
        "ADJ_DATE": dates(adj),
        "ADJ_TIME_START": _pick(["0830", "0900", "1300"], rng, n),
        "ADJ_TIME_STOP": _pick(["1000", "1200", "1500"], rng, n),
        "ADJ_RSN": np.where(ahead, "", _pick(_ADJ_RSN, rng, n)).astype(object),
        "ADJ_MEDIUM": _pick(["P", "P", "V", "T"], rng, n),
        "ADJ_ELAP_DAYS": istr(rng.integers(0, 400, n)),
        "SCHEDULE_TYPE": _pick(["IN", "DI", "AB"], rng, n),
        "NOTICE_CODE": _pick(["1", "2", ""], rng, n),
        "BLNCLOCKOVERRIDE": np.full(n, "0", dtype=object),
    }


def _charges(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    p = chunk.tables["B_TblProceeding"]
    k = 1 + (rng.random(len(p["IDNPROCEEDING"])) < 0.3)
    s = _sub(p, np.repeat(np.arange(len(k)), k))
    n = len(s["IDNCASE"])
    return {
        "IDNPRCDCHG": _ids(t, n),
        "IDNCASE": s["IDNCASE"],
        "IDNPROCEEDING": s["IDNPROCEEDING"],
        "CHARGE": _pick(_CHARGES, rng, n),
        "CHG_STATUS": _pick(["S", "S", "O", ""], rng, n),
    }


def _per_proceeding(share: float) -> Callable[[Chunk, np.random.Generator], dict]:
    def take(chunk: Chunk, rng: np.random.Generator) -> dict:
        p = chunk.tables["B_TblProceeding"]
        return _sub(p, np.nonzero(rng.random(len(p["IDNPROCEEDING"])) < share)[0])

    return take


def _motions(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    s = _per_proceeding(0.08)(chunk, rng)
    n = len(s["IDNCASE"])
    recd = np.maximum(_days(s["INPUT_DATE"]) + rng.integers(30, 400, n), 0)
    recd = np.minimum(recd, m.release_day - 1)
    done = rng.random(n) < 0.8
    return {
        "IDNMOTION": _ids(t, n),
        "IDNPROCEEDING": s["IDNPROCEEDING"],
        "IDNCASE": s["IDNCASE"],
        "OSC_DATE": s["OSC_DATE"],
        "REC_TYPE": np.full(n, "O", dtype=object),
        "GENERATION": np.full(n, "0", dtype=object),
        "SUB_GENERATION": np.full(n, "0", dtype=object),
        "INPUT_DATE": dates(recd),
        "BASE_CITY_CODE": s["BASE_CITY_CODE"],
        "HEARING_LOC_CODE": s["HEARING_LOC_CODE"],
        "IJ_CODE": s["IJ_CODE"],
        "DEC": np.where(done, _pick(["G", "D", "D"], rng, n), "").astype(object),
        "COMP_DATE": dates(np.where(done, np.minimum(recd + 40, m.release_day - 1), -1)),
        "MOTION_RECD_DATE": dates(recd),
        "STRFILINGPARTY": _pick(["A", "I", "A"], rng, n),
        "STRFILINGMETHOD": _pick(["P", "E"], rng, n),
        "E_28_RECPTFLAG": _pick(["Y", "N"], rng, n),
    }


def _bonds(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    p = chunk.tables["B_TblProceeding"]
    det = np.nonzero((p["CUSTODY"] != "N") & (rng.random(len(p["CUSTODY"])) < 0.5))[0]
    s = _sub(p, det)
    n = len(det)
    req = np.minimum(_days(s["INPUT_DATE"]) + rng.integers(5, 90, n), m.release_day - 1)
    dec = _pick(["G", "D", "N", "D"], rng, n)
    amount = (rng.integers(3, 30, n) * 500).astype(str).astype(object)
    return {
        "IDNASSOCBOND": _ids(t, n),
        "IDNPROCEEDING": s["IDNPROCEEDING"],
        "IDNCASE": s["IDNCASE"],
        "OSC_DATE": s["OSC_DATE"],
        "REC_TYPE": np.full(n, "O", dtype=object),
        "GENERATION": np.full(n, "0", dtype=object),
        "SUB_GENERATION": np.full(n, "0", dtype=object),
        "INPUT_DATE": dates(req),
        "BASE_CITY_CODE": s["BASE_CITY_CODE"],
        "BASE_CITY_NAME": np.full(n, "IMMIGRATION COURT", dtype=object),
        "HEARING_LOC_CODE": s["HEARING_LOC_CODE"],
        "IJ_CODE": s["IJ_CODE"],
        "DEC": dec,
        "COMP_DATE": dates(np.minimum(req + 14, m.release_day - 1)),
        "INITIAL_BOND": amount,
        "BOND_HEAR_REQ_DATE": dates(req),
        "NEW_BOND": np.where(dec == "G", amount, "").astype(object),
        "BOND_TYPE": _pick(["IMM", "MIN"], rng, n),
        "FILING_PARTY": _pick(["A", "I"], rng, n),
    }


def _per_case(share: float, chunk: Chunk, rng: np.random.Generator) -> dict:
    c = chunk.tables["A_TblCase"]
    return _sub(c, np.nonzero(rng.random(len(c["IDNCASE"])) < share)[0])


def _juvenile(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    c = _per_case(0.03, chunk, rng)
    n = len(c["IDNCASE"])
    return {
        "idnJuvenileHistory": _ids(t, n),
        "idnCase": c["IDNCASE"],
        "idnJuvenile": _pick(["1", "2", "3"], rng, n),
        "DATCREATEDON": dates(np.full(n, m.release_day - 400) + rng.integers(0, 390, n)),
    }


def _identifiers(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    c = _per_case(0.2, chunk, rng)
    n = len(c["IDNCASE"])
    return {
        "IDNCASEID": _ids(t, n),
        "IDNCASE": c["IDNCASE"],
        "CASE_ID": _pick(["UC", "AO", "DD", "PI", "RF"], rng, n),
    }


def _priority(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    c = _per_case(0.01, chunk, rng)
    n = len(c["IDNCASE"])
    return {
        "idnCasePriHistory": _ids(t, n),
        "casePriority_code": _pick(["UC", "AWC/ATD", "RBC/D", "CR"], rng, n),
        "idnCase": c["IDNCASE"],
        "DATCREATEDON": dates(np.full(n, m.release_day - 900) + rng.integers(0, 890, n)),
    }


def _per_appeal(share: float, chunk: Chunk, rng: np.random.Generator) -> dict:
    a = chunk.tables["tblAppeal"]
    return _sub(a, np.nonzero(rng.random(len(a["idnAppeal"])) < share)[0])


def _appeals2(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    a = _per_appeal(0.8, chunk, rng)
    return {k: a[k] for k in ("idnAppeal", "idncase", "idnProceeding")}


def _attorneys(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    n = max(1, len(chunk.tables["A_TblCase"]["IDNCASE"]) // 30)
    first = t.next_id
    t.next_id += n
    courts = np.unique(chunk.tables["B_TblProceeding"]["BASE_CITY_CODE"])
    return {
        "EOIRAttorneyID": np.array(
            [f"{i:08X}-5A1E-4C0D-9E00-{i * 7919 % 16**12:012X}" for i in range(first, first + n)],
            dtype=object,
        ),
        "BaseCityCode": courts[rng.integers(0, len(courts), n)],
        "blnAttorneyActive": _pick(["1", "1", "0"], rng, n),
        "Source_Flag": _pick(["C", "B"], rng, n),
        "datCreatedOn": dates(np.full(n, m.release_day - 4000) + rng.integers(0, 3900, n)),
    }


def _fed_courts(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    a = _per_appeal(0.12, chunk, rng)
    n = len(a["idnAppeal"])
    return {
        "idnAppealFedCourts": _ids(t, n),
        "lngAppealID": a["idnAppeal"],
        "datRequestedByOIL": a["datBIADecision"],
        "strFedCourtDecision": _pick(["DEN", "GRA", "DIS", ""], rng, n),
    }


def _referrals(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    a = _per_appeal(0.05, chunk, rng)
    n = len(a["idnAppeal"])
    return {
        "idn3MemberReferral": _ids(t, n),
        "lngAppealID": a["idnAppeal"],
        "datReferredTo3Member": a["datAppealFiled"],
    }


def _pro_bono(m: MoreTables, chunk: Chunk, rng: np.random.Generator, t: _Table) -> dict:
    a = _per_appeal(0.04, chunk, rng)
    n = len(a["idnAppeal"])
    return {
        "idnRepl": _ids(t, n),
        "idnAppeal": a["idnAppeal"],
        "Case_type": a["strCaseType"],
        "strNat": a["strNat"],
        "strLang": a["strLang"],
        "strFiledby": a["strFiledBy"],
        "strCustody": a["strCustody"],
        "datCreatedOn": a["datAppealFiled"],
        "blnProcessed": _pick(["1", "0"], rng, n),
    }


_MAKERS: dict[str, Callable[[MoreTables, Chunk, np.random.Generator, _Table], dict]] = {
    "tbl_schedule": _schedule,
    "B_TblProceedCharges": _charges,
    "tbl_Court_Motions": _motions,
    "D_TblAssociatedBond": _bonds,
    "tbl_JuvenileHistory": _juvenile,
    "A_TblCaseIdentifier": _identifiers,
    "tblAppeal2": _appeals2,
    "tbl_EOIR_Attorney": _attorneys,
    "tblAppealFedCourts": _fed_courts,
    "tbl_CasePriorityHistory": _priority,
    "tblThreeMbrReferrals": _referrals,
    "tblProBono": _pro_bono,
}
