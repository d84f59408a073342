"""Maintainer script: rebuild ``sample/data/`` from the project's shared reference folder.

Not used at run time. Run ``python -m asylumstats.sample.build_data REFERENCE_DIR`` where
REFERENCE_DIR holds the files named in ``data/SOURCES.md`` (``deportationdata/``,
``marrowb/``, ``huarenusvisa/``). Output is deterministic.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).with_name("data")

#: City/state for base-city codes missing from marrowb's 2025 lookup (eoir-format.md §4).
EXTRA_CITIES: dict[str, tuple[str, str]] = {
    "ANN": ("ANNANDALE", "VA"),
    "CHE": ("CHELMSFORD", "MA"),
    "INP": ("INDIANAPOLIS", "IN"),
    "BTR": ("BATON ROUGE", "LA"),
    "FCI": ("FALLS CHURCH", "VA"),
    "OIT": ("FALLS CHURCH", "VA"),
    "OIN": ("FALLS CHURCH", "VA"),
    "HDQ": ("FALLS CHURCH", "VA"),
    "CIJ": ("FALLS CHURCH", "VA"),
    "RIC": ("RICHMOND", "VA"),
    "STE": ("STERLING", "VA"),
    "WLA": ("LOS ANGELES", "CA"),
    "PEP": ("LOS FRESNOS", "TX"),
    "LOW": ("CHELMSFORD", "MA"),
    "CCC": ("CONCORD", "CA"),
    "POR": ("PORTLAND", "OR"),
    "SIN": ("FISHKILL", "NY"),
    "HGP": ("HOUSTON", "TX"),
    "SNC": ("SANTA ANA", "CA"),
    "LRO": ("LAREDO", "TX"),
    "HYA": ("HYATTSVILLE", "MD"),
}
NOT_TRIAL = {"BIA", "CIJ", "HDQ", "OIT", "OIN", "RIC", "FCI"}
WESTERN = set("AK AZ CA CO GU HI ID MP MT NM NV OR UT WA WY TX NE KS MO MN OK".split())
JUDGE_DROP = re.compile(
    r"<|visiting|iad judge|clerical|test|incoming judge|status judge|"
    r"live judge|video judge|docket",
    re.I,
)


def _norm(name: str) -> str:
    return re.sub(r"[^A-Z]", "", name.upper())


def _write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (DATA / name).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main(ref: Path) -> None:
    combined: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with (ref / "deportationdata/lookup_tables_combined.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            combined[r["table"]].append((r["value"].strip(), r["description"].strip()))
    marrowb = json.loads((ref / "marrowb/lookups.json").read_text(encoding="utf-8"))

    def simple(table: str, out: str) -> None:
        seen: dict[str, str] = {}
        for code, label in combined[table]:
            if code and code not in seen:
                seen[code] = label
        _write(out, ["code", "label"], [[k, v] for k, v in seen.items()])

    # base cities
    labels = marrowb["tblLookupBaseCity.json"]
    rows = []
    for code, name in combined["tblLookupBaseCity"]:
        if code in labels:
            city, _, st = labels[code].rpartition(", ")
        else:
            city, st = EXTRA_CITIES.get(code, ("", ""))
        trial = "0" if code in NOT_TRIAL else "1"
        region = "Western" if st in WESTERN else "Eastern"
        rows.append([code, name, city, st, region, trial])
    _write("base_cities.csv", ["code", "name", "city", "state", "region", "trial"], rows)
    trial_cities = {r[0]: r[2] for r in rows if r[5] == "1"}

    # judges with their base cities (name match against tblLookupJudgeBaseCity)
    courts_by_name: dict[str, set[str]] = defaultdict(set)
    for bc, name in combined["tblLookupJudgeBaseCity"]:
        if bc in trial_cities:
            courts_by_name[_norm(name)].add(bc)
    jrows = []
    seen_j: set[str] = set()
    for code, name in combined["tblLookupJudge"]:
        if not code or code in seen_j or JUDGE_DROP.search(name) or "," not in name:
            continue
        seen_j.add(code)
        jrows.append([code, name, ";".join(sorted(courts_by_name.get(_norm(name), ())))])
    _write("judges.csv", ["code", "name", "courts"], jrows)

    # hearing locations, attached to the base city whose city name starts their name
    by_city = sorted(((c, code) for code, c in trial_cities.items() if c), key=lambda t: -len(t[0]))
    hrows = []
    seen_h: set[str] = set()
    for code, name in combined["tblLookupHloc"]:
        if not code or code in seen_h:
            continue
        seen_h.add(code)
        base = code if code in trial_cities else ""
        if not base:
            up = name.upper()
            for city, bc in by_city:
                if up.startswith(city):
                    base = bc
                    break
        hrows.append([code, name, base])
    _write("hlocs.csv", ["code", "name", "base_city"], hrows)

    simple("tblLookupAlienNat", "nationalities.csv")
    simple("tblLanguage", "languages.csv")
    simple("tblLookupCaseType", "case_types.csv")
    simple("tblLookupCustodyStatus", "custody.csv")
    simple("tblLookUp_Appln", "appl_codes.csv")
    simple("tblLookupCourtAppDecisions", "appl_decisions.csv")
    simple("tblLookupBIADecision", "bia_decisions.csv")
    simple("tblLookupBIADecisionType", "bia_decision_types.csv")
    simple("tbllookupAppealType", "appeal_types.csv")

    orows = []
    src = ref / "huarenusvisa/asylum_outcomes_fy2020_2026_national_state_court.csv"
    with src.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["level"] == "court":
                orows.append([r["court_code"], r["fiscal_year"], r["grants"], r["denials"]])
    _write("court_outcomes.csv", ["court", "fiscal_year", "grants", "denials"], orows)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
