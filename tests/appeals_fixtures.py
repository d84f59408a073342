"""Hand-chosen databases for the appeals, wait and backlog metrics, and pure-Python references.

Builds on ``metrics_fixtures`` (``Dataset``, ``build_db``, the lookups): adds the columns those
helpers leave NULL (``osc_date``, ``input_date``, ``other_comp``, ``appl_recd_date``) and
``appeals`` rows. The references recompute the metrics from the rows in plain Python, from the
definitions in docs/methodology.md §7 (their own code lists, no SQL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from asylumstats.engines import open_engine
from asylumstats.engines.parquet import export_parquet
from metrics_fixtures import (
    LOOKUPS,
    REF_KEYS,
    Dataset,
    build_db,
    reference_case_decisions,
    reference_decisions,
)

Row = dict[str, Any]
RELEASE = dt.date(2026, 7, 1)

# --- written out again on purpose (not imported from the code under test) -----------------
REF_DISMISSED = {
    "DIS",
    "D30",
    "DVD",
    "DMO",
    "DSO",
    "DUT",
    "SAD",
    "SDG",
    "SED",
    "SND",
    "SOD",
    "SUD",
    "SAF",
    "SAV",
    "S-L",
    "DEN",
    "DNS",
    "FMD",
}
REF_SUSTAINED = {"SUS", "GRN", "GRS", "GNR"}
REF_REMANDED = {"REM", "BCR"}
REF_ADMIN_CLOSURE = {"A", "B", "K", "M", "Y"}


def T(y: int, m: int, d: int) -> dt.datetime:  # noqa: N802
    return dt.datetime(y, m, d)


class AppealsData(Dataset):
    """A Dataset with appeals and the date columns of the wait and backlog metrics."""

    _next_appeal: int = 5000

    def proc_dates(
        self,
        osc: dt.datetime | None = None,
        input_date: dt.datetime | None = None,
        other_comp: str | None = None,
    ) -> None:
        """Set dates / OTHER_COMP on the proceeding added last."""
        self.proceedings[-1].update(osc_date=osc, input_date=input_date, other_comp=other_comp)

    def recd(self, when: dt.datetime | None) -> None:
        """Set APPL_RECD_DATE on the application added last."""
        self.applications[-1]["appl_recd_date"] = when

    def appeal(
        self,
        idnproceeding: int | None,
        idncase: int,
        filed_by: str,
        category: str | None = "IJ",
        kind: str | None = "Case Appeal",
        filed: dt.datetime | None = None,
        bia_date: dt.datetime | None = None,
        bia: str | None = None,
    ) -> None:
        self._next_appeal += 1
        self.appeals.append(
            {
                "idnappeal": self._next_appeal,
                "idncase": idncase,
                "idnproceeding": idnproceeding,
                "strappealcategory": category,
                "strappealtype": kind,
                "datappealfiled": filed,
                "strfiledby": filed_by,
                "datbiadecision": bia_date,
                "strbiadecision": bia,
            }
        )


def hand_data() -> AppealsData:
    """The hand-chosen rows; expected values are in the tests, worked out by hand."""
    ds = AppealsData()
    # --- appeals: judge JA1 (court NYC) and JB2 ----------------------------------------------
    ds.case(1)
    ds.proc(11, 1, T(2020, 1, 10), "JA1")
    ds.app(11, 1, "G", idn=110)
    ds.appeal(11, 1, "I", filed=T(2020, 2, 1), bia_date=T(2020, 7, 9), bia="DIS")
    ds.case(2)
    ds.proc(21, 2, T(2020, 2, 1), "JA1")
    ds.app(21, 2, "G", idn=210)
    ds.appeal(21, 2, "I", kind="MTR BIA", filed=T(2021, 1, 5), bia_date=T(2021, 3, 1), bia="DEN")
    ds.appeal(21, 2, "I", filed=T(2020, 3, 1), bia_date=T(2020, 12, 1), bia="SUS")
    ds.case(3)
    ds.proc(31, 3, T(2020, 3, 1), "JA1")
    ds.app(31, 3, "G", idn=310)
    ds.appeal(31, 3, "B", filed=T(2020, 3, 20))  # both parties; BIA pending
    ds.case(4)
    ds.proc(41, 4, T(2020, 4, 1), "JA1")
    ds.app(41, 4, "G", idn=410)
    ds.appeal(41, 4, "A", filed=T(2020, 4, 5), bia_date=T(2020, 9, 1), bia="DIS")
    ds.appeal(41, 4, "O", filed=T(2020, 4, 6))
    ds.case(5)
    ds.proc(51, 5, T(2020, 5, 1), "JA1")
    ds.app(51, 5, "G", idn=510)
    ds.case(6)
    ds.proc(61, 6, T(2020, 6, 1), "JA1")
    ds.app(61, 6, "D", idn=610)
    ds.appeal(61, 6, "A", filed=T(2020, 6, 20), bia_date=T(2021, 6, 1), bia="REM")
    ds.case(7)
    ds.proc(71, 7, T(2020, 7, 1), "JA1")
    ds.app(71, 7, "D", idn=710)
    ds.appeal(
        71,
        7,
        "A",
        category="DD",
        kind="DD Visa",
        filed=T(2020, 8, 1),
        bia_date=T(2020, 9, 1),
        bia="ZZZ",
    )
    ds.case(8)
    ds.proc(81, 8, T(2020, 8, 1), "JA1")
    ds.app(81, 8, "D", idn=810)
    ds.appeal(81, 8, "A", kind="MTR BIA", filed=T(2020, 8, 2), bia_date=T(2021, 3, 1), bia="DEN")
    ds.appeal(81, 8, "B", filed=T(2020, 8, 15), bia_date=T(2021, 2, 1), bia="SAF")
    ds.case(9)
    ds.proc(91, 9, T(2020, 9, 1), "JA1")
    ds.app(91, 9, "D", idn=910)
    ds.appeal(91, 9, "I", filed=T(2020, 9, 5))
    ds.case(10)
    ds.proc(101, 10, T(2020, 9, 2), "JA1")
    ds.app(101, 10, "D", idn=1010)
    ds.case(11)
    ds.proc(111, 11, T(2020, 9, 3), "JA1")
    ds.app(111, 11, "D", idn=1110)
    ds.appeal(111, 11, "O", filed=T(2020, 9, 4))
    ds.case(12)
    ds.proc(121, 12, T(2020, 9, 4), "JA1")
    ds.app(121, 12, "A", idn=1210)  # an "other" outcome: its appeal counts nowhere
    ds.appeal(121, 12, "A", filed=T(2020, 9, 5))
    ds.case(13)
    ds.proc(131, 13, T(2020, 9, 5), "JA1")
    ds.app(131, 13, "D", idn=1310)
    ds.appeal(131, 13, "a", filed=T(2020, 9, 10), bia_date=T(2020, 8, 1), bia="dis")
    ds.case(14)
    ds.proc(141, 14, T(2020, 9, 6), "JA1")
    ds.app(141, 14, "D", idn=1410)
    ds.appeal(None, 14, "A", filed=T(2020, 9, 7))  # no proceeding id: cannot be attributed
    ds.case(15)
    ds.proc(151, 15, T(2019, 5, 1), "JB2")
    ds.app(151, 15, "D", idn=1510)
    ds.appeal(151, 15, "A", filed=T(2019, 5, 20), bia_date=T(2019, 12, 1), bia="DIS")
    ds.proc(152, 15, T(2020, 9, 7), "JA1")
    ds.app(152, 15, "G", idn=1520)
    ds.case(16)
    ds.proc(161, 16, T(2020, 9, 8), "JA1")
    ds.app(161, 16, "G", idn=1610)
    ds.app(161, 16, "G", idn=1611)
    ds.appeal(
        161,
        16,
        "I",
        category="ij",
        kind="CASE APPEAL",
        filed=T(2020, 9, 20),
        bia_date=T(2021, 9, 8),
        bia="REM",
    )
    # --- wait: judge JS5 (court SFR) -----------------------------------------------------------
    waits = [  # (case, comp, decision, osc, recd)
        (41, T(2020, 1, 1), "G", T(2018, 1, 1), T(2018, 6, 1)),
        (42, T(2020, 1, 1), "D", T(2019, 1, 1), None),
        (43, T(2020, 1, 1), "D", T(1900, 1, 1), T(2019, 7, 1)),
        (44, T(2020, 1, 1), "G", T(2020, 6, 1), T(2019, 12, 1)),
        (45, T(2020, 1, 1), "D", T(2027, 1, 1), T(1949, 12, 31)),
        (46, T(2020, 3, 15), "D", T(2015, 3, 15), T(2016, 3, 15)),
        (47, T(2020, 6, 1), "A", T(2019, 6, 1), T(2019, 9, 1)),
        (48, T(2020, 1, 1), "G", T(2017, 1, 1), T(2017, 2, 1)),
    ]
    for idncase, comp, dec, osc, recd in waits:
        ds.case(idncase * 10, nat="HO", lang="SP")
        ds.proc(idncase * 100, idncase * 10, comp, "JS5", court="SFR", hloc="SF1")
        ds.proc_dates(osc=osc, input_date=osc)
        ds.app(idncase * 100, idncase * 10, dec, idn=idncase * 1000)
        ds.recd(recd)

    # --- backlog: court HOU ----------------------------------------------------------------
    def bproc(
        pid: int,
        cid: int,
        osc: dt.datetime | None,
        comp: dt.datetime | None,
        input_date: dt.datetime | None = None,
        other: str | None = None,
        case_type: str = "RMV",
        court: str = "HOU",
    ) -> None:
        ds.proc(pid, cid, comp, "JC3", court=court, hloc=None, case_type=case_type)
        ds.proc_dates(osc=osc, input_date=input_date, other_comp=other)

    ds.case(801, nat="MX", lang="SP")
    bproc(8011, 801, T(2025, 1, 1), None, input_date=T(2025, 1, 10))
    ds.case(802, nat="MX", lang="SP")
    bproc(8021, 802, T(2020, 1, 1), T(2021, 1, 1))
    ds.app(8021, 802, None, idn=80210)
    ds.recd(T(2020, 2, 1))
    bproc(8022, 802, T(2021, 6, 1), None, input_date=T(2021, 5, 1))
    ds.case(803, nat="HO", lang="SP")
    bproc(8031, 803, T(2024, 1, 1), T(2025, 3, 1), other="A")
    ds.case(804, nat="HO", lang="SP")
    bproc(8041, 804, T(2023, 1, 1), T(2024, 1, 1), other="C")
    bproc(8042, 804, T(2024, 1, 1), None)
    ds.case(805, nat="HO", lang="SP")
    bproc(8051, 805, T(2026, 8, 1), None)  # starts after the release: no plausible start
    ds.case(806, nat="CH", lang="MAN")
    bproc(8061, 806, T(2025, 6, 1), T(2025, 12, 1))
    ds.case(807, nat="CH", lang="MAN")
    bproc(8071, 807, T(2026, 1, 1), None, case_type="AOC")
    ds.app(8071, 807, None, idn=80710)
    ds.recd(T(2026, 2, 1))
    ds.case(808, nat="CH", lang="MAN")
    bproc(8081, 808, T(2025, 5, 5), None)
    # same start, higher id: the latest
    bproc(8082, 808, T(2025, 5, 5), T(2025, 6, 1), input_date=T(2025, 5, 5))
    ds.case(809, nat="CH", lang="MAN")
    bproc(8091, 809, T(2026, 3, 1), None, case_type="CFR")
    ds.case(810, nat="MX", lang="SP")
    bproc(8101, 810, T(1900, 1, 1), None, input_date=T(2022, 7, 1))
    # later proceedings (court ELP): a later proceeding carries the case's original charging
    # date; it starts at its own input date, or the previous completion when that is later
    ds.case(811, nat="MX", lang="SP")  # decided in 2015, reopened in 2022
    bproc(8111, 811, T(2014, 1, 1), T(2015, 6, 1), court="ELP")
    bproc(8112, 811, T(2014, 1, 1), None, input_date=T(2022, 3, 1), court="ELP")
    ds.case(812, nat="MX", lang="SP")  # input date before the previous completion
    bproc(8121, 812, T(2023, 1, 1), T(2024, 6, 1), other="C", court="ELP")
    bproc(8122, 812, T(2023, 1, 1), None, input_date=T(2024, 3, 1), court="ELP")
    ds.case(813, nat="MX", lang="SP")  # no input date: from the previous completion
    bproc(8131, 813, T(2016, 2, 1), T(2017, 2, 1), other="C", court="ELP")
    bproc(8132, 813, T(2016, 2, 1), None, court="ELP")
    ds.case(814, nat="MX", lang="SP")  # no plausible start at all: left out, counted
    bproc(8141, 814, T(1900, 1, 1), None, input_date=T(2099, 1, 1), court="ELP")
    ds.case(815, nat="MX", lang="SP")  # later proceeding, no input, earlier one pending
    bproc(8151, 815, T(2018, 1, 1), None, court="ELP")
    bproc(8152, 815, T(2018, 1, 1), None, court="ELP")
    return ds


def random_data(ds: AppealsData, n_cases: int = 120, seed: int = 11) -> AppealsData:
    """Random rows over the same codes (appeals, waits, pending cases)."""
    rng = random.Random(seed)
    judges = ["JA1", "JB2", "JS5"]
    courts = ["NYC", "SFR"]
    pid, aid = 50_000, 5_000_000

    def day(lo: int = 2012, hi: int = 2026) -> dt.datetime:
        d = dt.date(lo, 1, 1) + dt.timedelta(days=rng.randint(0, (hi - lo) * 365))
        return T(d.year, d.month, d.day)

    for i in range(n_cases):
        cid = 90_000 + i
        ds.case(
            cid,
            nat=rng.choice(["CH", "MX", "HO", None]),
            lang=rng.choice(["SP", "MAN"]),
            e28=T(2015, 1, 1) if rng.random() < 0.5 else None,
            asy=rng.choice(["I", "E", None]),
        )
        for _ in range(rng.randint(1, 3)):
            pid += 1
            comp = day(2016, 2027) if rng.random() < 0.7 else None
            ds.proc(
                pid,
                cid,
                comp,
                rng.choice(judges),
                court=rng.choice(courts),
                case_type=rng.choice(["RMV", "RMV", "DEP", "AOC", "CFR"]),
            )
            osc = rng.choice([day(), day(), day(2008, 2020), T(1900, 1, 1), None])
            inp = rng.choice([osc, day(), None])
            ds.proc_dates(
                osc=osc,
                input_date=inp,
                other_comp=rng.choice([None, None, "A", "K", "C", "T", "Y"]),
            )
            for _ in range(rng.randint(0, 2)):
                aid += 1
                ds.app(
                    pid,
                    cid,
                    rng.choice(["G", "D", "D", "A", None]),
                    code=rng.choice(["ASYL", "ASYL", "ASYW"]),
                    idn=aid,
                )
                ds.recd(rng.choice([day(), day(), None, T(1940, 1, 1)]))
            for _ in range(rng.choice([0, 0, 1, 2])):
                filed = day(2016, 2026)
                decided = rng.random() < 0.6
                ds.appeal(
                    pid,
                    cid,
                    rng.choice(["A", "A", "I", "B", "O", "P"]),
                    category=rng.choice(["IJ", "IJ", "DD"]),
                    kind=rng.choice(["Case Appeal", "Case Appeal", "MTR BIA"]),
                    filed=rng.choice([filed, filed, None]),
                    bia_date=day(2016, 2027) if decided else None,
                    bia=rng.choice(["DIS", "SUS", "REM", "SAF", "TER", "XYZ"]) if decided else None,
                )
    return ds


def build(path: Path, data: AppealsData) -> Path:
    """The database (release 2026-07-01, synthetic) with the model built."""
    return build_db(path, data, LOOKUPS, synthetic=True, release_date=RELEASE.isoformat())


# --- references ------------------------------------------------------------------------------


@contextlib.contextmanager
def paired_engines(spark: Any, folder: Path, n_cases: int) -> Iterator[tuple[Any, Any]]:
    """The hand and random data in DuckDB and, exported to Parquet, in Spark: (duck, spark)."""
    db = build(folder / "t.duckdb", random_data(hand_data(), n_cases=n_cases))
    export_parquet(db, folder / "pq")
    duck = open_engine(db)
    sp = open_engine(db, "spark", parquet_dir=folder / "pq", spark=spark)
    try:
        yield duck, sp
    finally:
        sp.close()
        duck.close()


def days(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    """Days from date ``a`` to date ``b``, each as (year, month, day)."""
    return (dt.date(*b) - dt.date(*a)).days


def _u(v: Any) -> str:
    return (v or "").strip().upper()


def nearest_rank(values: list[int], pct: int) -> int | None:
    data = sorted(values)
    if not data:
        return None
    k = 1
    while k * 100 < pct * len(data):
        k += 1
    return data[k - 1]


def _key(row: Row, by: list[str]) -> tuple[Any, ...]:
    return tuple(row[k] for d in by for k in REF_KEYS[d])


def _sorted(rows: list[Row], keys: list[str]) -> list[Row]:
    return sorted(
        rows, key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else 0) for k in keys)
    )


def _bia_class(code: str | None, has_date: bool) -> str:
    c = _u(code)
    if c in REF_DISMISSED:
        return "dismissed"
    if c in REF_SUSTAINED:
        return "sustained"
    if c in REF_REMANDED:
        return "remanded"
    return "pending" if not c and not has_date else "other"


def _plausible(start: dt.date, end: dt.date) -> bool:
    low = dt.date(1950, 1, 1)
    return low <= start <= end <= RELEASE and end >= low


def _decisions(data: Dataset, definition: str) -> list[Row]:
    decs = reference_decisions(data, LOOKUPS)
    by_id = {a["idnproceedingappln"]: a for a in data.applications}
    for d in decs:
        d["idnproceeding"] = by_id[d["idnproceedingappln"]]["idnproceeding"]
    if definition == "case":
        decs = reference_case_decisions(decs)
    return decs


def reference_appeals(data: AppealsData, by: list[str], definition: str = "merits") -> list[Row]:
    """Appeals rows computed in Python."""
    decs = [d for d in _decisions(data, definition) if d["outcome"] in ("grant", "denial")]
    per_proc: dict[Any, list[Row]] = defaultdict(list)
    for ap in data.appeals:
        if ap["idnproceeding"] is not None:
            per_proc[ap["idnproceeding"]].append(ap)
    parties = {"dhs": ("grant", {"I", "B"}), "respondent": ("denial", {"A", "B"})}
    groups: dict[tuple[Any, ...], Row] = {}
    days: dict[tuple[Any, ...], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    keys = [k for d in by for k in REF_KEYS[d]]
    for d in decs:
        key = _key(d, by)
        g = groups.setdefault(
            key,
            {
                **dict(zip(keys, key, strict=True)),
                "grants": 0,
                "denials": 0,
                **{
                    f"{p}_{x}": 0
                    for p in parties
                    for x in (
                        "appealed",
                        "case",
                        "dismissed",
                        "sustained",
                        "remanded",
                        "other",
                        "pending",
                    )
                },
            },
        )
        g["grants" if d["outcome"] == "grant" else "denials"] += 1
        for party, (outcome, filers) in parties.items():
            if d["outcome"] != outcome:
                continue
            mine = [
                a for a in per_proc.get(d["idnproceeding"], []) if _u(a["strfiledby"]) in filers
            ]
            if not mine:
                continue
            g[f"{party}_appealed"] += 1

            def is_case(a: Row) -> bool:
                return (
                    _u(a["strappealcategory"]) == "IJ" and _u(a["strappealtype"]) == "CASE APPEAL"
                )

            if any(is_case(a) for a in mine):
                g[f"{party}_case"] += 1
            principal = min(
                mine,
                key=lambda a: (
                    not is_case(a),
                    a["datappealfiled"] is None,
                    a["datappealfiled"] or dt.datetime.min,
                    a["idnappeal"],
                ),
            )
            decided = principal["datbiadecision"] is not None
            g[f"{party}_{_bia_class(principal['strbiadecision'], decided)}"] += 1
            bia = principal["datbiadecision"]
            if bia is not None and _plausible(d["decision_date"], bia.date()):
                days[key][party].append((bia.date() - d["decision_date"]).days)
    out = []
    for key, g in groups.items():
        row = {k: g[k] for k in keys}
        row.update(
            grants=g["grants"],
            grants_appealed_by_dhs=g["dhs_appealed"],
            grants_case_appealed_by_dhs=g["dhs_case"],
            denials=g["denials"],
            denials_appealed_by_respondent=g["respondent_appealed"],
            denials_case_appealed_by_respondent=g["respondent_case"],
        )
        for p in parties:
            for o in ("dismissed", "sustained", "remanded", "other", "pending"):
                row[f"{p}_appeals_{o}"] = g[f"{p}_{o}"]
            vals = days[key][p]
            row[f"{p}_appeal_days_count"] = len(vals)
            for q, pct in (("median", 50), ("p25", 25), ("p75", 75)):
                row[f"{p}_appeal_days_{q}"] = nearest_rank(vals, pct)
        out.append(row)
    return _sorted(out, keys)


def reference_wait(data: AppealsData, by: list[str], definition: str = "merits") -> list[Row]:
    """Wait rows computed in Python."""
    decs = _decisions(data, definition)
    if definition != "eoir":
        decs = [d for d in decs if d["outcome"] in ("grant", "denial")]
    procs = {p["idnproceeding"]: p for p in data.proceedings}
    apps = {a["idnproceedingappln"]: a for a in data.applications}
    keys = [k for d in by for k in REF_KEYS[d]]
    groups: dict[tuple[Any, ...], Row] = {}
    for d in decs:
        key = _key(d, by)
        g = groups.setdefault(
            key,
            {
                "n": 0,
                "from_osc": [],
                "from_receipt": [],
                "from_osc_missing": 0,
                "from_osc_implausible": 0,
                "from_receipt_missing": 0,
                "from_receipt_implausible": 0,
            },
        )
        g["n"] += 1
        starts = {
            "from_osc": procs[d["idnproceeding"]].get("osc_date"),
            "from_receipt": apps[d["idnproceedingappln"]].get("appl_recd_date"),
        }
        for span, start in starts.items():
            if start is None:
                g[f"{span}_missing"] += 1
            elif _plausible(start.date(), d["decision_date"]):
                g[span].append((d["decision_date"] - start.date()).days)
            else:
                g[f"{span}_implausible"] += 1
    out = []
    for key, g in groups.items():
        row: Row = dict(zip(keys, key, strict=True))
        row["decisions"] = g["n"]
        for span in ("from_osc", "from_receipt"):
            row[f"{span}_count"] = len(g[span])
            for q, pct in (("median", 50), ("p25", 25), ("p75", 75), ("p90", 90)):
                row[f"{span}_{q}_days"] = nearest_rank(g[span], pct)
            row[f"{span}_missing"] = g[f"{span}_missing"]
            row[f"{span}_implausible"] = g[f"{span}_implausible"]
        out.append(row)
    return _sorted(out, keys)


def reference_starts(data: AppealsData) -> dict[Any, list[tuple[dt.date, int, Row]]]:
    """Per case: (start, idnproceeding, proceeding) of its proceedings with a plausible start.

    Proceedings in id order; the first starts at the earlier of its plausible OSC and input
    dates; a later one at its own plausible input date or, when later, the latest plausible
    start or completion before it; with no input date at the latest earlier completion."""
    low = dt.date(1950, 1, 1)

    def ok(v: Any) -> dt.date | None:
        return v.date() if v is not None and low <= v.date() <= RELEASE else None

    by_case: dict[Any, list[Row]] = defaultdict(list)
    for p in data.proceedings:
        if p.get("idncase") is not None:
            by_case[p["idncase"]].append(p)
    out: dict[Any, list[tuple[dt.date, int, Row]]] = {}
    for cid, procs in by_case.items():
        floor: dt.date | None = None  # latest start or completion so far
        done: dt.date | None = None  # latest completion so far
        rows = []
        for i, p in enumerate(sorted(procs, key=lambda q: q["idnproceeding"])):
            if i == 0:
                cands = [d for d in (ok(p.get("osc_date")), ok(p.get("input_date"))) if d]
                own = min(cands) if cands else None
            else:
                own = ok(p.get("input_date"))
            start = max(own, floor) if own and floor else own or (done if own is None else None)
            comp = ok(p.get("comp_date"))
            if start is not None:
                rows.append((start, p["idnproceeding"], p))
            for d in (own, comp):
                if d is not None:
                    floor = d if floor is None else max(floor, d)
            if comp is not None:
                done = comp if done is None else max(done, comp)
        out[cid] = rows
    return out


def reference_backlog(data: AppealsData, at: dt.date, by_court: bool = True) -> list[Row]:
    """Backlog by court at one date (pending, closed, median age, buckets), in Python."""
    per_case = reference_starts(data)
    groups: dict[Any, Row] = {}
    for procs in per_case.values():
        begun = [x for x in procs if x[0] <= at]
        if not begun:
            continue
        start, _, p = max(begun, key=lambda x: (x[0], x[1]))
        comp = p["comp_date"].date() if p["comp_date"] is not None else None
        court = _u(p["base_city_code"]) if by_court else None
        g = groups.setdefault(court, {"pending": 0, "closed": 0, "ages": []})
        if comp is None or comp > at:
            g["pending"] += 1
            g["ages"].append((at - start).days)
        elif _u(p.get("other_comp")) in REF_ADMIN_CLOSURE:
            g["closed"] += 1
    out = []
    for court, g in groups.items():
        ages = g["ages"]
        row: Row = {"court_code": court} if by_court else {}
        row.update(
            at=at.isoformat(),
            pending=g["pending"],
            administratively_closed=g["closed"],
            median_age_days=nearest_rank(ages, 50),
            age_under_1y=sum(a < 365 for a in ages),
            age_1_to_2y=sum(365 <= a < 730 for a in ages),
            age_2_to_4y=sum(730 <= a < 1461 for a in ages),
            age_4y_plus=sum(a >= 1461 for a in ages),
        )
        out.append(row)
    return _sorted(out, ["court_code"] if by_court else [])
