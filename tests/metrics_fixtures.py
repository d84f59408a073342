"""Small DuckDB databases in the ingested schema, and an independent reference of SPEC §3.

``build_db`` creates ``cases``, ``proceedings``, ``applications``, ``appeals`` (every column of
``ingest/tables.py``, DB types), the lookups and ``release_info`` from hand-chosen rows, then
calls ``asylumstats.model.build``. ``reference_rates`` recomputes the rate rows in plain
Python straight from the SPEC text (its own code lists, no SQL), to check the SQL against.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from asylumstats import model
from asylumstats.ingest.tables import (
    APPEALS,
    APPLICATIONS,
    CASES,
    LEAD_RIDER,
    PROCEEDINGS,
    REPS,
)

Row = dict[str, Any]

# --- SPEC §3, written out again on purpose (not imported from the code under test) ---------
REF_GRANT = {"F", "G", "C", "I", "P"}
REF_DENIAL = {"D"}
REF_OTHER = {"A", "W", "M", "O", "S", "L"}
REF_CASE_TYPES = {"RMV", "DEP", "EXC", "AOC"}
REF_KEYS = {
    "judge": ["judge_code", "judge_name"],
    "court": ["court_code", "court_name"],
    "hearing_location": ["hearing_location_code", "hearing_location_name"],
    "nationality": ["nationality_code", "nationality_name"],
    "language": ["language_code", "language_name"],
    "custody": ["custody"],
    "represented": ["represented"],
    "represented_at_decision": ["represented_at_decision"],
    "asylum_type": ["asylum_type"],
    "fiscal_year": ["fiscal_year"],
    "month": ["month"],
}
DIM_ORDER = list(REF_KEYS)

LOOKUPS: dict[str, list[Row]] = {
    "tbllookupjudge": [
        {
            "idnjudge": "1",
            "judge_code": "JA1",
            "judge_name": "OUSLANDER, JOHN",
            "blnactive": "true",
        },
        {"idnjudge": "2", "judge_code": "JB2", "judge_name": "SMITH, ANNA", "blnactive": "True"},
        {"idnjudge": "3", "judge_code": "JC3", "judge_name": "OLDNAME, CARL", "blnactive": "false"},
        {"idnjudge": "9", "judge_code": "JC3", "judge_name": "NEWNAME, CARL", "blnactive": "true"},
        {"idnjudge": "4", "judge_code": "JD4", "judge_name": "DOE, JANE B", "blnactive": "false"},
        {"idnjudge": "12", "judge_code": "JD4", "judge_name": "DOE, JANE", "blnactive": "false"},
        {"idnjudge": "5", "judge_code": "JS5", "judge_name": "SMITH, BOB", "blnactive": "true"},
        {"idnjudge": "6", "judge_code": "HC1", "judge_name": "CLASS, CODE", "blnactive": "true"},
        {"idnjudge": "7", "judge_code": "HC2", "judge_name": "TYPE, CASE", "blnactive": "true"},
        {"idnjudge": "8", "judge_code": "HC3", "judge_name": "YEAR, FISCAL", "blnactive": "true"},
        {"idnjudge": "10", "judge_code": "HC4", "judge_name": "ONLY, OTHER", "blnactive": "true"},
        {"idnjudge": "11", "judge_code": "HC5", "judge_name": "BREAK, TIE", "blnactive": "true"},
        {"idnjudge": "13", "judge_code": "HC6", "judge_name": "TECTION, PRO", "blnactive": "true"},
        {
            "idnjudge": "14",
            "judge_code": "NOD",
            "judge_name": "NODECISIONS, NORA",
            "blnactive": "1",
        },
    ],
    "tbllookupbasecity": [
        {
            "base_city_code": "NYC",
            "base_city_name": "IMMIGRATION COURT",
            "base_city": "NEW YORK",
            "blnactive": "true",
        },
        {
            "base_city_code": "SFR",
            "base_city_name": "IMMIGRATION COURT",
            "base_city": "SAN FRANCISCO",
            "blnactive": "true",
        },
        {
            "base_city_code": "HOU",
            "base_city_name": "IMMIGRATION COURT",
            "base_city": "HOUSTON",
            "blnactive": "true",
        },
    ],
    "tbllookuphloc": [
        {"hearing_loc_code": "NY1", "hearing_loc_name": "NEW YORK FEDERAL PLAZA"},
        {"hearing_loc_code": "SF1", "hearing_loc_name": "SAN FRANCISCO MONTGOMERY"},
    ],
    "tbllookupaliennat": [
        {"idnnat": "1", "strcode": "CH", "strdescription": "CHINA", "blnactive": "true"},
        {"idnnat": "2", "strcode": "MX", "strdescription": "MEXICO", "blnactive": "true"},
        {"idnnat": "3", "strcode": "HO", "strdescription": "HONDURAS", "blnactive": "true"},
        {"idnnat": "4", "strcode": "??", "strdescription": "UNKNOWN", "blnactive": "true"},
        {"idnnat": "5", "strcode": "IN", "strdescription": "INDIA", "blnactive": "true"},
    ],
    "tbllanguage": [
        {"strcode": "MAN", "strdescription": "MANDARIN"},
        {"strcode": "SP", "strdescription": "SPANISH"},
        {"strcode": "ENG", "strdescription": "ENGLISH"},
    ],
}


def ref_lookup_names(lookups: dict[str, list[Row]]) -> dict[str, dict[str, str | None]]:
    """code → name per lookup: an active row wins, then non-blank name, highest id, name."""
    spec = {
        "judge": ("tbllookupjudge", "judge_code", "judge_name"),
        "court": ("tbllookupbasecity", "base_city_code", "base_city"),
        "hearing_location": ("tbllookuphloc", "hearing_loc_code", "hearing_loc_name"),
        "nationality": ("tbllookupaliennat", "strcode", "strdescription"),
        "language": ("tbllanguage", "strcode", "strdescription"),
    }
    out: dict[str, dict[str, str | None]] = {}
    for dim, (table, c, n) in spec.items():
        best: dict[str, tuple[Any, ...]] = {}
        for r in lookups.get(table, []):
            code = (r.get(c) or "").strip().upper()
            if not code:
                continue
            name = (r.get(n) or "").strip() or None
            active = str(r.get("blnactive", "")).strip().lower() in {"true", "1", "-1", "t", "y"}
            idn = next((int(v) for k, v in r.items() if k.startswith("idn") and v), 0)
            rank = (not active, name is None, -idn, name or "")
            if code not in best or rank < best[code][0]:
                best[code] = (rank, name)
        out[dim] = {code: v[1] for code, v in best.items()}
    return out


@dataclass
class Dataset:
    """Rows of the four data tables (lower-case column names; missing columns are NULL)."""

    cases: list[Row] = field(default_factory=list)
    proceedings: list[Row] = field(default_factory=list)
    applications: list[Row] = field(default_factory=list)
    appeals: list[Row] = field(default_factory=list)
    reps: list[Row] = field(default_factory=list)
    leads: list[Row] = field(default_factory=list)
    _next_app: int = 900000

    def lead(self, lead_case: int, rider_case: int) -> None:
        """A ``lead_rider`` row: ``rider_case`` rides on ``lead_case``."""
        self.leads.append(
            {
                "idnleadrider": 80_000 + len(self.leads),
                "idnleadcase": lead_case,
                "idnridercase": rider_case,
            }
        )

    def rep(self, idncase: int, e28: dt.datetime | None, kind: str = "ALIEN") -> None:
        """A ``reps_assigned`` row (court level) for a case."""
        self.reps.append(
            {
                "idnrepsassigned": 7_000_000 + len(self.reps),
                "idncase": idncase,
                "strattylevel": "COURT",
                "strattytype": kind,
                "e_28_date": e28,
            }
        )

    def case(
        self,
        idncase: int,
        nat: str | None = "CH",
        lang: str | None = "MAN",
        e28: dt.datetime | None = None,
        asy: str | None = "E",
        case_type: str = "RMV",
    ) -> int:
        self.cases.append(
            {
                "idncase": idncase,
                "nat": nat,
                "lang": lang,
                "e_28_date": e28,
                "c_asy_type": asy,
                "case_type": case_type,
            }
        )
        return idncase

    def proc(
        self,
        idnproceeding: int,
        idncase: int,
        comp: dt.datetime | None,
        ij: str,
        court: str = "NYC",
        hloc: str | None = "NY1",
        custody: str | None = "N",
        case_type: str | None = "RMV",
    ) -> int:
        self.proceedings.append(
            {
                "idnproceeding": idnproceeding,
                "idncase": idncase,
                "comp_date": comp,
                "ij_code": ij,
                "base_city_code": court,
                "hearing_loc_code": hloc,
                "custody": custody,
                "case_type": case_type,
            }
        )
        return idnproceeding

    def app(
        self,
        idnproceeding: int,
        idncase: int,
        dec: str | None,
        code: str = "ASYL",
        idn: int | None = None,
    ) -> int:
        if idn is None:
            self._next_app += 1
            idn = self._next_app
        self.applications.append(
            {
                "idnproceedingappln": idn,
                "idnproceeding": idnproceeding,
                "idncase": idncase,
                "appl_code": code,
                "appl_dec": dec,
            }
        )
        return idn


def D(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:  # noqa: N802
    return dt.datetime(y, m, d, hh, mm)


ALL_CODES = ["F", "G", "C", "I", "P", "D", "A", "W", "M", "O", "S", "L", "T", "R", "", "Z"]


def hand_dataset(data: Dataset | None = None) -> Dataset:
    """Hand-chosen rows with hand-computed expectations (see tests/test_metrics_rates.py)."""
    ds = data or Dataset()
    # HC1: one application per decision code, same proceeding and day (case 100).
    ds.case(100, nat="MX", lang="SP", asy="I", e28=D(2018, 1, 1))
    ds.proc(1001, 100, D(2019, 5, 5), "HC1", court="NYC", custody="D")
    for i, code in enumerate([*ALL_CODES, "g "]):
        ds.app(1001, 100, code, idn=10010 + i)
    ds.app(1001, 100, "G", code="ASYW", idn=10050)  # not an asylum application
    ds.app(1001, 100, "D", code="42B", idn=10051)
    # HC2: the proceeding's CASE_TYPE decides, not the case's; pending excluded.
    ds.case(200, case_type="RMV")
    ds.proc(2001, 200, D(2019, 6, 1), "HC2", case_type="CFR")
    ds.app(2001, 200, "G", idn=20010)  # excluded: CFR proceeding
    ds.case(201, case_type="CFR")
    ds.proc(2002, 201, D(2019, 6, 2), "HC2", case_type="RMV")
    ds.app(2002, 201, "D", idn=20020)  # included: RMV proceeding of a CFR case
    ds.case(202)
    ds.proc(2003, 202, D(2019, 6, 3), "HC2", case_type="AOC")
    ds.app(2003, 202, "G", idn=20030)
    ds.proc(2004, 202, D(2019, 6, 4), "HC2", case_type="WHO")
    ds.app(2004, 202, "G", idn=20040)  # excluded: WHO
    ds.case(203)
    ds.proc(2005, 203, D(2019, 6, 5), "HC2", case_type="DEP")
    ds.app(2005, 203, "D", idn=20050)
    ds.proc(2006, 203, D(2019, 6, 6), "HC2", case_type="EXC")
    ds.app(2006, 203, "D", idn=20060)
    ds.proc(2007, 203, None, "HC2", case_type="RMV")
    ds.app(2007, 203, "G", idn=20070)  # excluded: pending
    # HC3: fiscal-year boundary.
    ds.case(300, nat="HO", lang="SP", asy=None)
    ds.proc(3001, 300, D(2019, 9, 30, 23, 30), "HC3", court="SFR", hloc="SF1")
    ds.app(3001, 300, "G", idn=30010)
    ds.case(301, nat="HO", lang="SP", asy="J")
    ds.proc(3002, 301, D(2019, 10, 1), "HC3", court="SFR", hloc="SF1")
    ds.app(3002, 301, "D", idn=30020)
    ds.case(302, nat="HO", lang="SP")
    ds.proc(3003, 302, D(2020, 12, 31), "HC3", court="SFR", hloc="ZZ9")
    ds.app(3003, 302, "G", idn=30030)
    # HC4: only "other" outcomes (court HOU).
    ds.case(400, nat="IN", lang="ENG")
    ds.proc(4001, 400, D(2019, 2, 1), "HC4", court="HOU", hloc=None, custody="R")
    ds.app(4001, 400, "A", idn=40010)
    ds.case(401, nat="IN", lang="ENG")
    ds.proc(4002, 401, D(2019, 2, 2), "HC4", court="HOU", hloc=None, custody="R")
    ds.app(4002, 401, "W", idn=40020)
    # HC5: case-level tie-breaks.
    ds.case(500)
    ds.proc(5001, 500, D(2019, 1, 10), "HC5")
    ds.app(5001, 500, "G", idn=50011)
    ds.proc(5002, 500, D(2019, 3, 1), "HC5")
    ds.app(5002, 500, "D", idn=50021)  # later date wins over an earlier grant
    ds.case(501)
    ds.proc(5011, 501, D(2019, 3, 1), "HC5")
    ds.app(5011, 501, "G", idn=50112)  # grant beats a same-day denial with a higher id
    ds.app(5011, 501, "D", idn=50113)
    ds.case(502)
    ds.proc(5021, 502, D(2019, 3, 1), "HC5")
    ds.app(5021, 502, "D", idn=50211)
    ds.app(5021, 502, "D", idn=50212)  # same class: highest id
    ds.case(503)
    ds.proc(5031, 503, D(2019, 3, 1), "HC5")
    ds.app(5031, 503, "A", idn=50312)
    ds.app(5031, 503, "D", idn=50311)  # denial beats other
    ds.app(5031, 503, "T", idn=50313)  # not a decision: ignored
    # represented at the decision (reps_assigned): 100 yes (E-28 before its 2019-05-05
    # decision), 600 no (E-28 after its decisions), 601 no (a DHS attorney only)
    ds.rep(100, D(2019, 1, 1))
    ds.rep(600, D(2020, 1, 1))
    ds.rep(601, D(2018, 1, 1), kind="INS")
    # HC6: protection (withholding / CAT granted in the same proceeding).
    ds.case(600)
    ds.proc(6001, 600, D(2019, 4, 1), "HC6")
    ds.app(6001, 600, "D", idn=60010)
    ds.app(6001, 600, "G", code="ASYW", idn=60011)
    ds.proc(6002, 600, D(2019, 4, 2), "HC6")
    ds.app(6002, 600, "D", idn=60020)
    ds.app(6002, 600, "L", code="WCAT", idn=60021)
    ds.proc(6003, 600, D(2019, 4, 3), "HC6")
    ds.app(6003, 600, "D", idn=60030)
    ds.app(6003, 600, "D", code="ASYW", idn=60031)
    ds.case(601)
    ds.proc(6004, 601, D(2019, 4, 4), "HC6")
    ds.app(6004, 601, "D", idn=60040)
    ds.proc(6005, 601, D(2019, 4, 5), "HC6")
    ds.app(6005, 601, "G", code="ASYW", idn=60050)  # other proceeding: does not count
    ds.proc(6006, 601, D(2019, 4, 6), "HC6")
    ds.app(6006, 601, "G", idn=60060)
    ds.app(6006, 601, "G", code="WCAT", idn=60061)
    ds.proc(6007, 601, D(2019, 4, 7), "HC6")
    ds.app(6007, 601, "A", idn=60070)
    ds.app(6007, 601, "G", code="ASYW", idn=60071)  # abandoned for withholding: protection
    ds.proc(6008, 601, D(2019, 4, 8), "HC6")
    ds.app(6008, 601, "L", idn=60080)  # CAT granted on the asylum application: protection
    # JX9: a judge code missing from the judge lookup.
    ds.case(700, nat="ZZ", lang="XX")  # codes missing from their lookups
    ds.proc(7001, 700, D(2018, 11, 11), "JX9", court="QQQ", hloc="NY1")
    ds.app(7001, 700, "G", idn=70010)
    return ds


def random_dataset(ds: Dataset, n_cases: int = 150, seed: int = 7) -> Dataset:
    """Random rows over the same codes, for the reference comparison."""
    rng = random.Random(seed)
    judges = ["JA1", "JB2", "JC3", "JD4", "JS5", "JX9"]
    courts = ["NYC", "SFR", "HOU"]
    hlocs = ["NY1", "SF1", None, "ZZ9"]
    nats = ["CH", "MX", "HO", "??", "IN", None]
    langs = ["MAN", "SP", "ENG", None]
    start = dt.date(2017, 9, 1)
    pid = 10_000
    aid = 1_000_000
    for i in range(n_cases):
        idncase = 10_000 + i
        ds.case(
            idncase,
            nat=rng.choice(nats),
            lang=rng.choice(langs),
            e28=D(2017, 1, 1) if rng.random() < 0.6 else None,
            asy=rng.choice(["I", "E", "J", None]),
            case_type=rng.choice(["RMV", "RMV", "CFR"]),
        )
        for _ in range(rng.randint(1, 3)):
            pid += 1
            comp: dt.datetime | None = None
            if rng.random() > 0.1:
                day = start + dt.timedelta(days=rng.randint(0, 1200))
                comp = dt.datetime(day.year, day.month, day.day, rng.choice([0, 0, 13]))
            ds.proc(
                pid,
                idncase,
                comp,
                rng.choice(judges),
                court=rng.choice(courts),
                hloc=rng.choice(hlocs),
                custody=rng.choice(["D", "N", "R", None]),
                case_type=rng.choice(["RMV"] * 6 + ["DEP", "EXC", "AOC", "CFR", "WHO"]),
            )
            for _ in range(rng.randint(0, 3)):
                aid += 1
                code = rng.choice(["ASYL"] * 5 + ["ASYW", "WCAT", "42B"])
                dec = rng.choice(ALL_CODES + ["G", "D", "D", "D", None, "d"])
                ds.app(pid, idncase, dec, code=code, idn=aid)
    reps_rng = random.Random(seed * 31 + 1)  # its own stream: the rows above stay as they were
    for i in range(n_cases):
        if reps_rng.random() < 0.5:
            day = dt.date(2017, 1, 1) + dt.timedelta(days=reps_rng.randint(0, 1500))
            ds.rep(10_000 + i, D(day.year, day.month, day.day), reps_rng.choice(["ALIEN", "INS"]))
    return ds


def standard_dataset() -> Dataset:
    """The hand-chosen rows plus 150 random cases."""
    return random_dataset(hand_dataset())


def _insert(con: duckdb.DuckDBPyConnection, table: str, cols: list[str], rows: list[Row]) -> None:
    """Bulk insert through Arrow (row-by-row inserts are slow)."""
    if not rows:
        return
    import pyarrow as pa

    data = pa.table({c: pa.array([r.get(c) for r in rows]) for c in cols})
    con.register("_rows", data)
    con.execute(f"INSERT INTO {table} SELECT {', '.join(cols)} FROM _rows")
    con.unregister("_rows")


def _create_table(con: duckdb.DuckDBPyConnection, spec: Any, rows: list[Row]) -> None:
    cols = [c.db_name for c in spec.columns]
    con.execute(
        f"CREATE TABLE {spec.db_name} ("
        + ", ".join(f"{c.db_name} {c.db_type}" for c in spec.columns)
        + ")"
    )
    _insert(con, spec.db_name, cols, rows)


def build_db(
    path: Path,
    data: Dataset,
    lookups: dict[str, list[Row]] | None = None,
    synthetic: bool = True,
    release_date: str | None = "2026-07-01",
) -> Path:
    """Write a database in the ingested schema, then build the model."""
    con = duckdb.connect(str(path))
    try:
        _create_table(con, CASES, data.cases)
        _create_table(con, PROCEEDINGS, data.proceedings)
        _create_table(con, APPLICATIONS, data.applications)
        _create_table(con, APPEALS, data.appeals)
        if data.reps:
            _create_table(con, REPS, data.reps)
        if data.leads:
            _create_table(con, LEAD_RIDER, data.leads)
        for table, rows in (LOOKUPS if lookups is None else lookups).items():
            cols = sorted({k for r in rows for k in r})
            con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} VARCHAR' for c in cols)})")
            _insert(con, table, cols, rows)
        con.execute("CREATE TABLE release_info (key VARCHAR, value VARCHAR)")
        info = [("release", "EOIR Case Data test"), ("synthetic", "true" if synthetic else "false")]
        if release_date:
            info.append(("release_date", release_date))
        con.executemany("INSERT INTO release_info VALUES (?, ?)", info)
        model.build(con)
    finally:
        con.close()
    return path


# --- the reference implementation ------------------------------------------------------------


def _norm(value: Any) -> str:
    return (value or "").strip().upper() if isinstance(value, str) or value is None else str(value)


def reference_decisions(data: Dataset, lookups: dict[str, list[Row]] | None = None) -> list[Row]:
    """Application-level asylum decisions per SPEC §3, computed in Python."""
    names = ref_lookup_names(LOOKUPS if lookups is None else lookups)
    procs = {p["idnproceeding"]: p for p in data.proceedings}
    cases = {c["idncase"]: c for c in data.cases}
    protected = {
        a["idnproceeding"]
        for a in data.applications
        if _norm(a["appl_code"]) in {"ASYW", "WCAT"} and _norm(a["appl_dec"]) in REF_GRANT | {"L"}
    }
    out = []
    for a in data.applications:
        if _norm(a["appl_code"]) != "ASYL":
            continue
        dec = _norm(a["appl_dec"])
        outcome = (
            "grant"
            if dec in REF_GRANT
            else "denial"
            if dec in REF_DENIAL
            else "other"
            if dec in REF_OTHER
            else None
        )
        p = procs.get(a["idnproceeding"])
        if outcome is None or p is None or p["comp_date"] is None:
            continue
        if _norm(p["case_type"]) not in REF_CASE_TYPES:
            continue
        c = cases.get(a["idncase"], {})
        day = p["comp_date"].date()
        code = {
            "judge": _norm(p["ij_code"]) or None,
            "court": _norm(p["base_city_code"]) or None,
            "hearing_location": _norm(p["hearing_loc_code"]) or None,
            "nationality": _norm(c.get("nat")) or None,
            "language": _norm(c.get("lang")) or None,
        }
        asy = _norm(c.get("c_asy_type"))
        row: Row = {
            "idnproceedingappln": a["idnproceedingappln"],
            "idncase": a["idncase"],
            "outcome": outcome,
            "appl_dec": dec,
            "decision_date": day,
            "fiscal_year": day.year + (1 if day.month >= 10 else 0),
            "month": f"{day.year:04d}-{day.month:02d}",
            "custody": _norm(p["custody"]) or None,
            "represented": c.get("e_28_date") is not None,
            "represented_at_decision": (
                None
                if not data.reps
                else any(
                    r["idncase"] == a["idncase"]
                    and _norm(r["strattytype"]) == "ALIEN"
                    and _norm(r["strattylevel"]) == "COURT"
                    and r["e_28_date"] is not None
                    and r["e_28_date"].date() <= day
                    for r in data.reps
                )
            ),
            "asylum_type": {"I": "affirmative", "E": "defensive"}.get(asy, "unknown"),
            "other_protection": a["idnproceeding"] in protected,
        }
        for dim, value in code.items():
            row[f"{dim}_code"] = value
            row[f"{dim}_name"] = names[dim].get(value) if value else None
        out.append(row)
    return out


def reference_case_decisions(decisions: list[Row]) -> list[Row]:
    """Each case's last asylum decision (latest date; grant > denial > other; highest id)."""
    rank = {"grant": 2, "denial": 1, "other": 0}
    best: dict[Any, Row] = {}
    for d in decisions:
        key = (d["decision_date"], rank[d["outcome"]], d["idnproceedingappln"])
        cur = best.get(d["idncase"])
        if cur is None or key > (
            cur["decision_date"],
            rank[cur["outcome"]],
            cur["idnproceedingappln"],
        ):
            best[d["idncase"]] = d
    return list(best.values())


def _classify(d: Row, definition: str) -> str:
    if definition == "protection":
        dec = _norm(d.get("appl_dec"))
        if dec == "L":  # CAT granted on the asylum application
            return "grant"
        if d["other_protection"] and (d["outcome"] == "denial" or dec in {"A", "W", "S"}):
            return "grant"  # withholding / CAT granted in the same proceeding
    return d["outcome"]


def reference_rates(
    decisions: list[Row],
    by: list[str],
    definition: str = "merits",
    fy: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    judge: str | None = None,
    court: str | None = None,
    nationality: str | None = None,
) -> list[Row]:
    """Rate rows (counts and rate; intervals are checked separately) computed in Python."""
    rows = reference_case_decisions(decisions) if definition == "case" else decisions
    dims = [d for d in DIM_ORDER if d in by]
    keys = [k for d in dims for k in REF_KEYS[d]]
    groups: dict[tuple[Any, ...], dict[str, int]] = defaultdict(
        lambda: {"grant": 0, "denial": 0, "other": 0}
    )
    for d in rows:
        if fy is not None and d["fiscal_year"] != fy:
            continue
        if date_from is not None and d["decision_date"] < date_from:
            continue
        if date_to is not None and d["decision_date"] > date_to:
            continue
        if judge is not None and d["judge_code"] != judge:
            continue
        if court is not None and d["court_code"] != court:
            continue
        if nationality is not None and d["nationality_code"] != nationality:
            continue
        groups[tuple(d[k] for k in keys)][_classify(d, definition)] += 1
    out = []
    for key, n in groups.items():
        decisions_n = n["grant"] + n["denial"] + (n["other"] if definition == "eoir" else 0)
        row = dict(zip(keys, key, strict=True))
        row.update(
            grants=n["grant"],
            denials=n["denial"],
            other=n["other"],
            decisions=decisions_n,
            grant_rate=n["grant"] / decisions_n if decisions_n else None,
            definition=definition,
        )
        out.append(row)
    out.sort(key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else 0) for k in keys))
    return out
