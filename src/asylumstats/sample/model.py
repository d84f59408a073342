"""The statistical model of the synthetic release: one chunk of cases at a time, vectorised.

``Model.chunk`` returns the *clean* values of every data table for a block of consecutive
cases (numpy object arrays of strings, ``''`` = NULL, in ``tables.py`` column order). Raw
decorations (padding, null tokens, date styles) and quirks are applied later (``release.py``).

Shape of the data:
- cases start (NTA date) over 1996..release, recent years heaviest; 1..4 proceedings per case,
  earlier ones completed by a change of venue (``OTHER_COMP`` C) or transfer (T) into a
  proceeding at another court; the last one completed after a log-normal wait, or pending
  (no ``COMP_DATE``) when that falls after the release date;
- about half the cases have applications (ASYL, ASYW, WCAT, 42B, 245, ...) on their last
  proceeding; ASYL rows on venue-changed proceedings are decided ``T`` or left blank;
- an asylum merits decision is a grant with probability
  ``sigmoid(base[court, FY] + judge + nationality + representation + custody)``, where
  ``base`` comes from the published per-court per-FY grant shares for FY2020-FY2026
  (``court_outcomes.csv``) and from a national curve with a court effect before;
- appeals: DHS (I) appeals some grants, applicants (A) many denials, a few both (B), plus
  other appeal types; BIA decisions after the IJ decision, some pending;
- representatives consistent with ``E_28_DATE``, custody history, lead/rider family links;
- for fair judge comparisons (truth in ``judge_truth``): the grant log-odds are additive
  (court + national FY curve + judge + nationality + representation + custody +
  affirmative); judges sit for tenures and a third hear the detained docket; a decided
  proceeding may be reopened or remanded into the next one (its own asylum decision, so
  ``case`` differs from ``merits``); riders mostly copy their lead case's attributes, judge
  and outcome; some last proceedings are in-absentia orders (asylum abandoned or left
  blank); some charging-document and input dates are missing.

``chunk`` draws the values; the tables are assembled by ``_appeal_table``, ``_case_table``,
``_reps_table``, ``_custody_table`` and ``_lead_rider_table``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from asylumstats.model.outcomes import CASE_TYPES as COUNTED_CASE_TYPES
from asylumstats.sample.reference import Reference

EPOCH = np.datetime64("1990-01-01", "D")
NDAYS = int((np.datetime64("2036-01-01", "D") - EPOCH).astype(int))
_ISO = np.datetime_as_string(EPOCH + np.arange(NDAYS), unit="D")
DATE_MS = np.array([f"{d} 00:00:00.000" for d in _ISO] + [""], dtype=object)
NULL_DAY = NDAYS  # index of ''

# Intake (NTA dates) by calendar year: a rough shape of EOIR receipts.
_YEAR_W = {
    1996: 0.15,
    1997: 0.2,
    1998: 0.22,
    1999: 0.24,
    2000: 0.25,
    2001: 0.26,
    2002: 0.26,
    2003: 0.27,
    2004: 0.28,
    2005: 0.32,
    2006: 0.34,
    2007: 0.3,
    2008: 0.3,
    2009: 0.3,
    2010: 0.32,
    2011: 0.32,
    2012: 0.3,
    2013: 0.3,
    2014: 0.35,
    2015: 0.4,
    2016: 0.45,
    2017: 0.5,
    2018: 0.6,
    2019: 0.9,
    2020: 0.5,
    2021: 0.45,
    2022: 1.1,
    2023: 1.7,
    2024: 1.9,
    2025: 1.1,
    2026: 0.7,
    2027: 0.7,
    2028: 0.7,
    2029: 0.7,
    2030: 0.7,
}

# National asylum merits grant share by fiscal year before the published table starts.
_NATIONAL = {
    1996: 0.2,
    1997: 0.22,
    1998: 0.25,
    1999: 0.3,
    2000: 0.35,
    2001: 0.37,
    2002: 0.38,
    2003: 0.38,
    2004: 0.37,
    2005: 0.4,
    2006: 0.43,
    2007: 0.45,
    2008: 0.48,
    2009: 0.5,
    2010: 0.5,
    2011: 0.52,
    2012: 0.54,
    2013: 0.5,
    2014: 0.47,
    2015: 0.46,
    2016: 0.43,
    2017: 0.38,
    2018: 0.35,
    2019: 0.31,
}

# Nationality shares of cases and effects on the grant log-odds.
_NATS: dict[str, tuple[float, float, str]] = {
    "MX": (0.22, -1.4, "SP"),
    "GT": (0.11, -0.9, "SP"),
    "HO": (0.10, -0.9, "SP"),
    "ES": (0.09, -0.9, "SP"),
    "CU": (0.04, 0.1, "SP"),
    "VE": (0.05, 1.0, "SP"),
    "NU": (0.03, 0.2, "SP"),
    "HA": (0.03, -0.3, "CRE"),
    "CO": (0.03, -0.2, "SP"),
    "EC": (0.04, -0.7, "SP"),
    "PE": (0.01, -0.2, "SP"),
    "BR": (0.02, -0.6, "POR"),
    "CH": (0.03, 1.2, "MAN"),
    "IN": (0.03, -0.2, "PUN"),
    "AF": (0.004, 1.6, "FAR"),
    "RU": (0.008, 1.3, "RUS"),
    "TU": (0.005, 1.4, "TUR"),
    "ER": (0.003, 1.3, "TIG"),
    "ET": (0.003, 0.9, "AMH"),
    "CM": (0.003, 0.9, "ENG"),
    "MR": (0.004, 0.6, "FUL"),
    "DR": (0.01, -0.6, "SP"),
    "NP": (0.003, 0.5, "NEP"),
    "BG": (0.003, 0.5, "BEN"),
    "PK": (0.003, 0.4, "ENG"),
    "UZ": (0.002, 0.9, "UZB"),
    "GG": (0.002, 0.8, "GEO"),
    "RO": (0.002, -0.2, "ROM"),
    "AL": (0.002, 0.4, "ALB"),
    "JM": (0.004, -0.6, "ENG"),
    "??": (0.003, 0.0, "ENG"),
}
_OTHER_NAT_SHARE = 0.06

# Proceeding/case types (share of cases) and which may carry applications.
_CASE_TYPES = [
    ("RMV", 0.86),
    ("DEP", 0.05),
    ("EXC", 0.012),
    ("CFR", 0.025),
    ("AOC", 0.006),
    ("WHO", 0.006),
    ("RFR", 0.006),
    ("DDC", 0.01),
    ("REC", 0.002),
    ("CSR", 0.002),
    ("NAC", 0.001),
]
_APP_SHARE = {"RMV": 0.56, "DEP": 0.45, "EXC": 0.45, "AOC": 1.0, "WHO": 0.95}

_CITIES = [
    ("HOUSTON", "TX", "770"),
    ("LOS ANGELES", "CA", "900"),
    ("NEW YORK", "NY", "100"),
    ("MIAMI", "FL", "331"),
    ("CHICAGO", "IL", "606"),
    ("DALLAS", "TX", "752"),
    ("ATLANTA", "GA", "303"),
    ("NEWARK", "NJ", "071"),
    ("SAN ANTONIO", "TX", "782"),
    ("PHOENIX", "AZ", "850"),
    ("DENVER", "CO", "802"),
    ("SEATTLE", "WA", "981"),
    ("BOSTON", "MA", "021"),
    ("CHARLOTTE", "NC", "282"),
    ("ORLANDO", "FL", "328"),
    ("LAS VEGAS", "NV", "891"),
    ("BALTIMORE", "MD", "212"),
    ("BROOKLYN", "NY", "112"),
    ("QUEENS", "NY", "113"),
    ("SAN JOSE", "CA", "951"),
    ("OAKLAND", "CA", "946"),
    ("NASHVILLE", "TN", "372"),
    ("COLUMBUS", "OH", "432"),
    ("OMAHA", "NE", "681"),
    ("SALT LAKE CITY", "UT", "841"),
    ("PHILADELPHIA", "PA", "191"),
    ("DETROIT", "MI", "482"),
    ("EL PASO", "TX", "799"),
    ("CONROE", "TX", "773"),
    ("ADELANTO", "CA", "923"),
    ("TACOMA", "WA", "984"),
    ("HYATTSVILLE", "MD", "207"),
    ("PORTLAND", "OR", "972"),
    ("RIVERSIDE", "CA", "925"),
    ("FORT MYERS", "FL", "339"),
    ("RICHMOND", "VA", "232"),
]
#: ALIEN_CITY values with Windows-1252 characters (the ``cp1252`` quirk).
CP1252_CITIES = [
    "SAN JOSÉ",
    "PEÑA BLANCA",
    "O’FALLON",
    "CAÑON CITY",
    "ESPAÑOLA",
    "MAYAGÜEZ",
    "RÍO GRANDE",
    "COEUR D’ALENE",
    "NIÑO",
    "BOGOTÁ",
]

_FACILITIES = [
    "STEWART DETENTION CENTER",
    "OTAY MESA DETENTION CENTER",
    "SOUTH TEXAS ICE PROCESSING CENTER",
    "ADELANTO ICE PROCESSING CENTER",
    "KROME NORTH SPC",
    "LASALLE ICE PROCESSING CENTER",
]


#: True effects on the grant log-odds: represented / not, custody N / D / R, asylum type
#: affirmative / defensive / unknown.
REP_EFF = (0.55, -0.95)
CUSTODY_EFF = np.array([0.2, -0.8, 0.0])
ASY_EFF = np.array([0.4, 0.0, 0.0])
#: Codes in the order of the effects above.
CUSTODY_CODES = ("N", "D", "R")
ASY_CODES = ("I", "E", "")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 0.005), 0.995)
    return float(np.log(p / (1 - p)))


def _families(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(lead case, rider case) index pairs: 12 % of cases lead 1-3 riders, the next cases."""
    lead = np.nonzero(rng.random(m) < 0.12)[0]
    nr = 1 + (rng.random(len(lead)) < 0.5) + (rng.random(len(lead)) < 0.2)
    lc = np.repeat(lead, nr)
    rfirst = np.cumsum(nr) - nr
    rc = lc + 1 + (np.arange(len(lc)) - rfirst[np.repeat(np.arange(len(lead)), nr)])
    okr = rc < m
    return lc[okr], rc[okr]


def group_cumsum(values: np.ndarray, first: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum of ``values`` restarted at each group start."""
    c = np.cumsum(values)
    base = c[first] - values[first]
    return c - base[owner]


def _choice(rng: np.random.Generator, n: int, probs: list[float]) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").clip(0, len(p) - 1)


def _pick(values: list[str], rng: np.random.Generator, n: int, probs: list[float]) -> np.ndarray:
    return np.array(values, dtype=object)[_choice(rng, n, probs)]


def fiscal_year(days: np.ndarray) -> np.ndarray:
    d = EPOCH + days.astype("timedelta64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    return y + (m >= 10)


def dates(days: np.ndarray) -> np.ndarray:
    """Clean date strings (``YYYY-MM-DD 00:00:00.000``), ``''`` where ``days < 0``."""
    idx = np.where(days >= 0, np.minimum(days, NDAYS - 1), NULL_DAY)
    return DATE_MS[idx]


def istr(values: np.ndarray) -> np.ndarray:
    """Integers as an object array of decimal strings."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(map(str, values.tolist()))
    return out


NUM_S = istr(np.arange(2100))


def blank(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


@dataclass
class Ids:
    """Next id of each table (ids are consecutive integers per table)."""

    case: int = 1_000_001
    proc: int = 5_000_001
    appl: int = 9_000_001
    appeal: int = 200_001
    rep: int = 30_000_001
    custody: int = 400_001
    lead: int = 70_001


@dataclass
class Chunk:
    """Clean columns per table stem plus the parent links used for orphans."""

    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    parents: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


@dataclass
class Frame:
    """The arrays of one chunk that several tables share: cases (``m`` of them, ids), their
    proceedings (ids, first/count/last per case, start day, court index) and case traits."""

    m: int
    cid: np.ndarray
    cid_s: np.ndarray
    pid: np.ndarray
    pid_s: np.ndarray
    first: np.ndarray
    k: np.ndarray
    lp: np.ndarray
    start: np.ndarray
    court: np.ndarray
    custody: np.ndarray
    rep: np.ndarray
    e28: np.ndarray
    natc: np.ndarray
    lang: np.ndarray


class Model:
    """Fixed parameters drawn once per seed, then ``chunk`` per block of cases."""

    def __init__(self, ref: Reference, seed: int, release_date: str) -> None:
        rng = np.random.default_rng([seed, 0])
        self.ref = ref
        self.release_day = int((np.datetime64(release_date, "D") - EPOCH).astype(int))
        self.release_fy = int(fiscal_year(np.array([self.release_day - 1]))[0])
        trial = [b for b in ref.base_cities if b.trial]
        self.courts = np.array([b.code for b in trial], dtype=object)
        cidx = {c: i for i, c in enumerate(self.courts)}
        totals = np.full(len(trial), 40.0)
        for (court, _fy), (g, d) in ref.court_outcomes.items():
            if court in cidx:
                totals[cidx[court]] += g + d
        self.court_p = totals / totals.sum()

        # base log-odds per (court, FY)
        self.fy0 = 1990
        nfy = 2036 - self.fy0
        base = np.zeros((len(trial), nfy))
        nat_fy: dict[int, float] = dict(_NATIONAL)
        for fy in range(2020, 2036):
            g = sum(v[0] for (c, f), v in ref.court_outcomes.items() if f == min(fy, 2026))
            d = sum(v[1] for (c, f), v in ref.court_outcomes.items() if f == min(fy, 2026))
            nat_fy[fy] = g / max(g + d, 1)
        pooled_g = sum(v[0] for v in ref.court_outcomes.values())
        pooled_d = sum(v[1] for v in ref.court_outcomes.values())
        nat_pooled = _logit(pooled_g / (pooled_g + pooled_d))
        self.court_eff = np.zeros(len(trial))
        for i, court in enumerate(self.courts):
            cg = sum(v[0] for (c, f), v in ref.court_outcomes.items() if c == court and f <= 2024)
            cd = sum(v[1] for (c, f), v in ref.court_outcomes.items() if c == court and f <= 2024)
            prior = float(np.exp(nat_pooled) / (1 + np.exp(nat_pooled)))
            ceff = _logit((cg + 20 * prior) / (cg + cd + 20)) - nat_pooled
            self.court_eff[i] = ceff
            # additive on the log-odds scale (court + fiscal year), so that a model with
            # court and fiscal-year main effects is the true model
            for j in range(nfy):
                nat_p = nat_fy.get(max(min(self.fy0 + j, 2035), 1996), 0.3)
                base[i, j] = _logit(nat_p) + ceff
        self.base = base

        # judges: each real judge gets one home court among the courts listed for them
        judges = ref.judges
        load = dict.fromkeys(self.courts, 0)
        per_court: dict[str, list[int]] = {c: [] for c in self.courts}
        for j, (_code, _name, courts) in enumerate(judges):
            options = [c for c in courts if c in load]
            if not options:
                continue
            home = min(options, key=lambda c: (load[c], c))
            load[home] += 1
            per_court[home].append(j)
        spare = [
            j for j, (_c, _n, courts) in enumerate(judges) if not any(c in load for c in courts)
        ]
        for c in self.courts:
            while len(per_court[c]) < 2 and spare:
                per_court[c].append(spare.pop())
        self.judge_codes = np.array([j[0] for j in judges], dtype=object)
        jeff = rng.normal(0.0, 0.75, len(judges))
        self.court_judges = []
        for c in self.courts:
            js = np.array(per_court[c], dtype=np.int64)
            if len(js):
                jeff[js] -= jeff[js].mean()
            self.court_judges.append(js)
        self.judge_eff = jeff
        self.cj_start = np.cumsum([0] + [len(js) for js in self.court_judges])[:-1]
        self.cj_n = np.array([max(len(js), 1) for js in self.court_judges])
        self.cj_flat = np.concatenate(
            [js if len(js) else np.array([0]) for js in self.court_judges]
        )
        fixed = np.array([len(js) == 0 for js in self.court_judges])
        self.cj_n[fixed] = 1
        self.judge_court = np.full(len(judges), -1, dtype=np.int64)
        for c, js in enumerate(self.court_judges):
            self.judge_court[js] = c
        self._tenures(rng, nfy)

        # truth accumulator: merits decisions per covariate cell (see ``observe``)
        self.cell_n = np.zeros(nfy * len(ref.nationalities) * 2 * 3 * 3 + 1)
        self.judge_n = np.zeros(len(judges), dtype=np.int64)

        # hearing locations per court (the court's own code first when it is an hloc code)
        hl: dict[str, list[str]] = {c: [] for c in self.courts}
        codes = {h[0] for h in ref.hlocs}
        for code, _name, base_city in ref.hlocs:
            if base_city in hl and code != base_city:
                hl[base_city].append(code)
        self.court_hlocs = [
            [c] + hl[c][:6] if c in codes or not hl[c] else hl[c][:7] for c in self.courts
        ]
        self.hl_start = np.cumsum([0] + [len(h) for h in self.court_hlocs])[:-1]
        self.hl_n = np.array([len(h) for h in self.court_hlocs])
        self.hl_flat = np.array([h for hs in self.court_hlocs for h in hs], dtype=object)

        # nationalities
        known = {c for c, _ in ref.nationalities}
        lang_codes = {c for c, _ in ref.languages}
        main = [(c, v) for c, v in _NATS.items() if c in known]
        others = [c for c, _ in ref.nationalities if c not in _NATS and c not in ("<A>",)]
        self.nat_codes = np.array([c for c, _ in main] + others, dtype=object)
        share = np.array([v[0] for _, v in main] + [_OTHER_NAT_SHARE / len(others)] * len(others))
        self.nat_p = share / share.sum()
        self.nat_eff = np.array([v[1] for _, v in main] + list(rng.normal(0.3, 0.5, len(others))))
        self.nat_eff -= float((self.nat_eff * self.nat_p).sum())
        self.nat_lang = np.array(
            [v[2] if v[2] in lang_codes else "ENG" for _, v in main] + ["ENG"] * len(others),
            dtype=object,
        )
        self.bia = [c for c, _ in ref.bia_decisions]

        years = sorted(y for y in _YEAR_W if y <= int(release_date[:4]))
        self.years = np.array(years)
        w = np.array([_YEAR_W[y] for y in years])
        self.year_p = w / w.sum()

    def _tenures(self, rng: np.random.Generator, nfy: int) -> None:
        """Each judge sits from one fiscal year to another, and about a third of the judges
        hear the detained docket. ``active_*`` list, per docket (0 non-detained, 1 detained),
        court and fiscal year, the court's judges of that docket sitting then (else the
        court's judges sitting then, else all the court's judges)."""
        n = len(self.judge_codes)
        start = rng.integers(1992, self.release_fy + 1, n)
        start[rng.random(n) < 0.3] = 1992  # a third sit from the start of the record
        end = np.minimum(start + 3 + rng.exponential(12, n).astype(int), 2035)
        end[rng.random(n) < 0.6] = 2035  # most still sit at the release date
        self.tenure = np.stack([start, end], axis=1)
        self.detained_docket = rng.random(n) < 0.3
        flat: list[int] = []
        shape = (2, len(self.courts), nfy)
        first = np.zeros(shape, dtype=np.int64)
        count = np.zeros(shape, dtype=np.int64)
        for c, js in enumerate(self.court_judges):
            js = js if len(js) else np.array([0])
            for j in range(nfy):
                fy = self.fy0 + j
                sitting = js[(start[js] <= fy) & (end[js] >= fy)]
                if not len(sitting):
                    sitting = js
                for docket in (0, 1):
                    on = sitting[self.detained_docket[sitting] == bool(docket)]
                    if not len(on):
                        on = sitting
                    first[docket, c, j] = len(flat)
                    count[docket, c, j] = len(on)
                    flat += on.tolist()
        self.active_flat = np.array(flat, dtype=np.int64)
        self.active_first = first
        self.active_n = count

    def judges_at(
        self, rng: np.random.Generator, court: np.ndarray, fyi: np.ndarray, detained: np.ndarray
    ) -> np.ndarray:
        """A judge of ``court`` sitting in fiscal-year index ``fyi``, uniformly; detained
        cases go mostly (85 %) to the detained docket's judges, the others to the rest."""
        docket = np.where(rng.random(len(court)) < 0.85, detained, ~detained).astype(np.int64)
        n = self.active_n[docket, court, fyi]
        pick = (rng.random(len(court)) * n).astype(np.int64)
        return self.active_flat[self.active_first[docket, court, fyi] + pick]

    def logit(
        self,
        court: np.ndarray,
        fyi: np.ndarray,
        judge: np.ndarray,
        nat: np.ndarray,
        rep: np.ndarray,
        cust: np.ndarray,
        asy: np.ndarray,
    ) -> np.ndarray:
        """The true grant log-odds of an asylum merits decision (``cust`` 0 N, 1 D, 2 R;
        ``asy`` 0 affirmative, 1 defensive, 2 unknown)."""
        return (
            self.base[court, fyi]
            + self.judge_eff[judge]
            + self.nat_eff[nat]
            + np.where(rep, REP_EFF[0], REP_EFF[1])
            + CUSTODY_EFF[cust]
            + ASY_EFF[asy]
        )

    def _cell(
        self, fyi: np.ndarray, nat: np.ndarray, rep: np.ndarray, cust: np.ndarray, asy: np.ndarray
    ) -> np.ndarray:
        return (((fyi * len(self.nat_codes) + nat) * 2 + rep.astype(np.int64)) * 3 + cust) * 3 + asy

    def observe(
        self,
        judge: np.ndarray,
        fyi: np.ndarray,
        nat: np.ndarray,
        rep: np.ndarray,
        cust: np.ndarray,
        asy: np.ndarray,
    ) -> None:
        """Count merits decisions (grant or denial) per covariate cell and per judge."""
        np.add.at(self.cell_n, self._cell(fyi, nat, rep, cust, asy), 1)
        np.add.at(self.judge_n, judge, 1)

    def judge_truth(self) -> list[dict[str, object]]:
        """Per judge: home court, tenure, true effect (log-odds, relative to the court's
        judges), merits decisions generated, and the true standardized rate: the expected
        grant share of the judge on the mix of all merits decisions generated."""
        cells = np.nonzero(self.cell_n)[0]
        w = self.cell_n[cells]
        total = float(w.sum())
        rest, asy = np.divmod(cells, 3)
        rest, cust = np.divmod(rest, 3)
        rest, rep = np.divmod(rest, 2)
        fyi, nat = np.divmod(rest, len(self.nat_codes))
        mix = (
            self.nat_eff[nat] + np.where(rep == 1, REP_EFF[0], REP_EFF[1]) + CUSTODY_EFF[cust]
        ) + ASY_EFF[asy]
        out: list[dict[str, object]] = []
        for j, code in enumerate(self.judge_codes):
            c = int(self.judge_court[j])
            if c < 0:
                continue
            eta = self.base[c, fyi] + self.judge_eff[j] + mix
            rate = float((w * _sigmoid(eta)).sum() / total) if total else None
            out.append(
                {
                    "judge_code": str(code),
                    "court_code": str(self.courts[c]),
                    "effect": round(float(self.judge_eff[j]), 6),
                    "court_effect": round(float(self.court_eff[c]), 6),
                    "tenure_fy": [int(self.tenure[j, 0]), int(self.tenure[j, 1])],
                    "merits_decisions": int(self.judge_n[j]),
                    "standardized_rate": None if rate is None else round(rate, 6),
                }
            )
        return out

    # ------------------------------------------------------------------ chunk
    def chunk(self, rng: np.random.Generator, ids: Ids, m: int) -> Chunk:  # noqa: C901
        R = self.release_day
        out = Chunk()
        cid = np.arange(ids.case, ids.case + m, dtype=np.int64)
        cid_s = istr(cid)
        ids.case += m

        # ---------------- case attributes
        year = self.years[_choice(rng, m, list(self.year_p))]
        y0 = (np.array([f"{y}-01-01" for y in year], dtype="datetime64[D]") - EPOCH).astype(int)
        osc = np.minimum(y0 + rng.integers(0, 365, m), R - 90)
        nat = _choice(rng, m, list(self.nat_p))
        ct_names = [c for c, _ in _CASE_TYPES]
        ctype = np.array(ct_names, dtype=object)[_choice(rng, m, [p for _, p in _CASE_TYPES])]
        old = osc < (np.datetime64("1997-04-01") - EPOCH).astype(int)
        ctype[(ctype == "RMV") & old] = "DEP"
        custody = _pick(["N", "D", "R"], rng, m, [0.62, 0.25, 0.13])
        rep = rng.random(m) < np.select([custody == "D", custody == "R"], [0.35, 0.6], 0.7)
        lang = self.nat_lang[nat].copy()
        lang[rng.random(m) < 0.06] = "ENG"
        asy_draw = _pick(["I", "E", ""], rng, m, [0.27, 0.66, 0.07])
        # families: a lead case and 1-3 riders (the next cases), who share its attributes
        lc, rc = _families(rng, m)
        for arr in (osc, nat, ctype, custody, rep, lang, asy_draw):
            arr[rc] = arr[lc]
        natc = self.nat_codes[nat]
        no_osc = rng.random(m) < 0.02  # charging document date missing

        # ---------------- proceedings
        k = 1 + (rng.random(m) < 0.2) + (rng.random(m) < 0.07) + (rng.random(m) < 0.02)
        first = np.cumsum(k) - k
        pc = np.repeat(np.arange(m), k)
        pos = np.arange(len(pc)) - first[pc]
        gaps = np.where(
            pos == 0, rng.integers(0, 60, len(pc)), rng.exponential(300, len(pc)).astype(int) + 20
        )
        start = osc[pc] + group_cumsum(gaps, first, pc)
        keep = start < R - 1
        pc, start = pc[keep], start[keep]
        k = np.bincount(pc, minlength=m)
        first = np.cumsum(k) - k
        P = len(pc)
        pos = np.arange(P) - first[pc]
        last = pos == k[pc] - 1
        lp = first + k - 1  # last proceeding of each case
        dur = (np.exp(rng.normal(np.log(600), 0.9, P)) + 20).astype(int)
        nxt = np.append(start[1:], 0)
        comp = np.where(last, start + dur, nxt)
        comp = np.where(last & (comp >= R), -1, comp)
        pid = np.arange(ids.proc, ids.proc + P, dtype=np.int64)
        pid_s = istr(pid)
        ids.proc += P

        # ---------------- applications (which cases have one)
        app_ok = np.isin(ctype, list(_APP_SHARE))
        share = np.zeros(m)
        for t, s in _APP_SHARE.items():
            share[ctype == t] = s
        has_app = app_ok & (rng.random(m) < share)
        has_asyl = has_app & ((ctype == "AOC") | ((ctype != "WHO") & (rng.random(m) < 0.86)))
        has_app[rc] = has_app[lc]
        has_asyl[rc] = has_asyl[lc]
        # a decided proceeding reopened or remanded into the case's last proceeding: it
        # carries its own asylum decision (so ``case`` and ``merits`` differ)
        reopened = ~last & (pos == k[pc] - 2) & has_asyl[pc] & (comp >= 0) & (rng.random(P) < 0.45)

        # ---------------- courts and judges
        court = _choice(rng, P, list(self.court_p))
        moved = pos > 0
        shift = rng.integers(1, len(self.courts), P)
        for _ in range(3):  # a transferred proceeding sits at another court than the previous
            prev = np.roll(court, 1)
            same = moved & (court == prev) & ~np.roll(reopened, 1)
            court = np.where(same, (court + shift) % len(self.courts), court)
        after = np.nonzero(reopened)[0] + 1  # a reopened case stays at its court
        court[after] = court[after - 1]
        court[lp[rc]] = court[lp[lc]]
        pfy = fiscal_year(np.where(comp >= 0, comp, R - 1))
        pfyi = np.clip(pfy - self.fy0, 0, self.base.shape[1] - 1)
        judge = self.judges_at(rng, court, pfyi, custody[pc] == "D")
        judge[lp[rc]] = judge[lp[lc]]
        hl = self.hl_n[court]
        hsel = np.where(rng.random(P) < 0.75, 0, (rng.random(P) * hl).astype(int))
        hloc = self.hl_flat[self.hl_start[court] + hsel]
        pctype = ctype[pc]
        pcust = custody[pc]
        completed = comp >= 0
        last_court = court[first + k - 1]
        e28 = np.where(rep, np.minimum(start[first] + rng.integers(5, 400, m), R - 1), -1)

        # ---------------- asylum outcomes, per proceeding that decides one
        asy_type = blank(m)
        asy_type[has_asyl] = asy_draw[has_asyl]
        na_ = ~has_asyl & (rng.random(m) < 0.05)
        asy_type[na_] = "E"
        asy_i = np.select([asy_type == "I", asy_type == "E"], [0, 1], 2)
        cust_i = np.select([custody == "D", custody == "R"], [1, 2], 0)
        p_logit = self.logit(court, pfyi, judge, nat[pc], rep[pc], cust_i[pc], asy_i[pc])
        pgrant = rng.random(P) < _sigmoid(p_logit)
        u = rng.random(P)
        deciding = (last & completed & has_asyl[pc]) | reopened
        # class: 0 merits, 1 other, 2 no decision recorded; the last proceeding can be an
        # in-absentia removal order (asylum abandoned, or no decision recorded)
        pcls = np.where(u < 0.58, 0, np.where(u < 0.94, 1, 2))
        pcls[reopened] = np.where(u[reopened] < 0.85, 0, 1)
        absent = (
            last
            & deciding
            & ~rep[pc]
            & (pcust == "N")
            & np.isin(pctype, ["RMV", "DEP", "EXC"])
            & (rng.random(P) < 0.12)
        )
        pcls[absent] = np.where(rng.random(int(absent.sum())) < 0.6, 1, 2)
        # riders follow their lead case (same judge): same class and outcome, mostly
        follow = rng.random(len(rc)) < 0.85
        fl, fr = lp[lc[follow]], lp[rc[follow]]
        both = deciding[fl] & deciding[fr]
        pcls[fr[both]] = pcls[fl[both]]
        pgrant[fr[both]] = pgrant[fl[both]]
        absent[fr[both]] = absent[fl[both]]
        grant_code = _pick(["G", "F", "I", "C", "P"], rng, P, [0.62, 0.18, 0.1, 0.05, 0.05])
        other_code = _pick(
            ["W", "A", "S", "O", "M", "L"], rng, P, [0.38, 0.22, 0.12, 0.1, 0.13, 0.05]
        )
        other_code[absent] = "A"
        none_code = _pick(["R", "T", ""], rng, P, [0.3, 0.2, 0.5])
        none_code[absent] = ""
        pcode = np.select(
            [pcls == 0, pcls == 1, pcls == 2],
            [np.where(pgrant, grant_code, "D"), other_code, none_code],
            "",
        )
        pcode[~deciding] = ""
        oc = np.select(
            [(pcls == 0) & pgrant, pcls == 0, pcls == 1], ["grant", "deny", "other"], "none"
        )
        oc = np.where(deciding, oc, "")
        outcome = oc[lp]
        outcome = np.where(has_asyl & (comp[lp] >= 0), outcome, "")
        lp_done = comp[lp] >= 0
        merit = deciding & (pcls == 0) & np.isin(pctype, list(COUNTED_CASE_TYPES))
        mi = np.nonzero(merit)[0]
        self.observe(judge[mi], pfyi[mi], nat[pc[mi]], rep[pc[mi]], cust_i[pc[mi]], asy_i[pc[mi]])

        # ---------------- application rows
        rows_c: list[np.ndarray] = []
        rows_p: list[np.ndarray] = []
        rows_code: list[np.ndarray] = []

        def add(mask: np.ndarray, code: str) -> None:
            idx = np.nonzero(mask)[0]
            rows_c.append(idx)
            rows_p.append(lp[idx])
            rows_code.append(np.full(len(idx), code, dtype=object))

        add(has_asyl, "ASYL")
        add(has_asyl & (rng.random(m) < 0.75), "ASYW")
        add((has_asyl & (rng.random(m) < 0.65)) | (has_app & (ctype == "WHO")), "WCAT")
        add(has_app & (ctype == "RMV") & (rng.random(m) < 0.18), "42B")
        add(has_app & (rng.random(m) < 0.12), "245")
        add(has_app & (ctype == "RMV") & (rng.random(m) < 0.04), "42A")
        extra = has_app & (rng.random(m) < 0.05)
        add(extra & (ctype == "DEP"), "SUSP")
        add(extra & (ctype != "DEP"), "212h")
        # ASYL on earlier proceedings: decided when reopened, else T or blank (venue change)
        early = np.nonzero(has_asyl[pc] & ~last & ((rng.random(P) < 0.5) | reopened))[0]
        rows_c.append(pc[early])
        rows_p.append(early)
        rows_code.append(np.full(len(early), "ASYL", dtype=object))
        ac = np.concatenate(rows_c)
        ap = np.concatenate(rows_p)
        acode = np.concatenate(rows_code)
        order = np.lexsort((ap, ac))
        ac, ap, acode = ac[order], ap[order], acode[order]
        A = len(ac)
        aid = np.arange(ids.appl, ids.appl + A, dtype=np.int64)
        ids.appl += A
        a_last = last[ap]
        a_done = comp[ap] >= 0
        hi = np.where(a_done, comp[ap], R) - 1
        recd = np.minimum(start[ap] + rng.integers(20, 300, A), hi)
        recd = np.maximum(recd, start[ap])

        adec = blank(A)
        is_asyl = acode == "ASYL"
        sel = is_asyl & a_last
        adec[sel] = pcode[ap[sel]]
        sel = is_asyl & ~a_last
        adec[sel] = np.where(rng.random(int(sel.sum())) < 0.65, "T", "")
        sel = is_asyl & reopened[ap]
        adec[sel] = pcode[ap[sel]]
        rel_dec = _pick(
            ["G", "D", "M", "W", "A", "L", ""], rng, A, [0.1, 0.45, 0.2, 0.1, 0.05, 0.03, 0.07]
        )
        grant_case = outcome[ac] == "grant"
        other_rows = ~is_asyl & a_done
        adec[other_rows] = np.where(grant_case[other_rows], "M", rel_dec[other_rows])
        no_asyl = other_rows & ~has_asyl[ac]
        adec[no_asyl] = _pick(
            ["G", "D", "W", "A", "O", ""],
            rng,
            int(no_asyl.sum()),
            [0.25, 0.45, 0.1, 0.08, 0.05, 0.07],
        )
        adec[~a_done] = ""

        # ---------------- proceeding completion codes
        dec = blank(P)
        oth = blank(P)
        trans = ~last & ~reopened
        oth[trans] = np.where(rng.random(int(trans.sum())) < 0.7, "C", "T")
        fin = (last & completed) | reopened
        merits_map = {
            "RMV": ("R", "X"),
            "DEP": ("R", "D"),
            "EXC": ("R", "E"),
            "AOC": ("G", "D"),
            "WHO": ("G", "D"),
        }
        gen_ct = {
            "RMV": (
                ["X", "V", "T", "R", "U", "E", "Z", "O"],
                [0.55, 0.12, 0.12, 0.08, 0.07, 0.03, 0.02, 0.01],
            ),
            "DEP": (["D", "V", "T", "R", "U"], [0.6, 0.15, 0.1, 0.1, 0.05]),
            "EXC": (["E", "W", "T", "R"], [0.6, 0.2, 0.1, 0.1]),
            "AOC": (["G", "D", "A", "W"], [0.3, 0.4, 0.15, 0.15]),
            "WHO": (["Z", "D", "E", "W"], [0.2, 0.5, 0.2, 0.1]),
            "CFR": (["A", "V"], [0.7, 0.3]),
            "RFR": (["A", "V"], [0.8, 0.2]),
            "CSR": (["A", "V"], [0.8, 0.2]),
            "REC": (["K", "N", "S"], [0.5, 0.3, 0.2]),
            "NAC": (["G", "D"], [0.6, 0.4]),
            "DDC": (["A", "V"], [0.7, 0.3]),
        }
        for t, (vals, probs) in gen_ct.items():
            sel = fin & (pctype == t)
            ns = int(sel.sum())
            if ns:
                dec[sel] = _pick(vals, rng, ns, probs)
        for t, (g, d) in merits_map.items():
            dec[fin & (pctype == t) & (oc == "grant")] = g
            dec[fin & (pctype == t) & (oc == "deny")] = d
        admin = fin & ~reopened & ((oc == "") | (oc == "none")) & (rng.random(P) < 0.22)
        admin |= fin & (oc == "other") & np.isin(pcode, ["S", "O"])
        admin &= ~absent
        na = int(admin.sum())
        oth[admin] = _pick(
            ["A", "F", "Y", "X", "P", "O", "K", "B", "M"],
            rng,
            na,
            [0.3, 0.22, 0.15, 0.1, 0.05, 0.05, 0.05, 0.05, 0.03],
        )
        dec[admin] = ""
        # appeals reserved, absentia, decision type
        absentia = blank(P)
        absentia[completed] = "N"
        inab = fin & (dec == "X") & ~rep[pc] & (pcust == "N") & (oc == "") & (rng.random(P) < 0.5)
        removal = {"RMV": "X", "DEP": "D", "EXC": "E"}
        for t, code in removal.items():
            dec[absent & (pctype == t)] = code
        absentia[inab | absent] = "Y"
        dec_type = blank(P)
        dt = fin & (dec != "")
        dec_type[dt] = _pick(["O", "W", "7", "6"], rng, int(dt.sum()), [0.48, 0.43, 0.07, 0.02])

        frame = Frame(
            m, cid, cid_s, pid, pid_s, first, k, lp, start, court, custody, rep, e28, natc, lang
        )
        out.tables["tblAppeal"], appeal_rsvd, ap_case, ap_proc, apid, filed = self._appeal_table(
            rng, ids, frame, comp, lp_done, outcome, pctype
        )
        out.tables["A_TblCase"], det_day, rel_day = self._case_table(
            rng, frame, osc, year, ctype, asy_type, last_court
        )

        # ---------------- B_TblProceeding
        jcode = self.judge_codes[judge]
        jcode[(~completed) & (rng.random(P) < 0.04)] = ""
        prevm = pos > 0
        prev_i = np.maximum(np.arange(P) - 1, 0)
        next_i = np.minimum(np.arange(P) + 1, P - 1)
        hdate = np.where(
            completed,
            start + rng.integers(15, 120, P),
            np.minimum(start + rng.integers(15, 500, P), R + 700),
        )
        hdate = np.where(completed, np.minimum(hdate, comp), hdate)
        deported = blank(P)
        dmask = np.isin(dec, ["X", "D", "E"])
        deported[dmask] = natc[pc[dmask]]
        vc = oth == "C"
        out.tables["B_TblProceeding"] = {
            "IDNPROCEEDING": pid_s,
            "IDNCASE": cid_s[pc],
            "OSC_DATE": dates(np.where(no_osc[pc], -1, osc[pc])),
            "INPUT_DATE": dates(np.where(rng.random(P) < 0.002, -1, start)),
            "BASE_CITY_CODE": self.courts[court],
            "HEARING_LOC_CODE": hloc,
            "IJ_CODE": jcode,
            "TRANS_IN_DATE": dates(np.where(prevm, start, -1)),
            "PREV_HEARING_LOC": np.where(prevm, hloc[prev_i], ""),
            "PREV_HEARING_BASE": np.where(prevm, self.courts[court[prev_i]], ""),
            "PREV_IJ_CODE": np.where(prevm, jcode[prev_i], ""),
            "TRANS_NBR": np.where(prevm, pos.astype(str), "").astype(object),
            "HEARING_DATE": dates(hdate),
            "HEARING_TIME": _pick(
                ["0830", "0900", "1000", "1300", "1330", "0800"],
                rng,
                P,
                [0.25, 0.3, 0.1, 0.15, 0.1, 0.1],
            ),
            "DEC_TYPE": dec_type,
            "DEC_CODE": dec,
            "DEPORTED_1": deported,
            "DEPORTED_2": blank(P),
            "OTHER_COMP": oth,
            "APPEAL_RSVD": appeal_rsvd,
            "APPEAL_NOT_FILED": blank(P),
            "COMP_DATE": dates(comp),
            "ABSENTIA": absentia,
            "VENUE_CHG_GRANTED": dates(np.where(vc, comp, -1)),
            "TRANSFER_TO": np.where(trans, self.courts[court[next_i]], ""),
            "DATE_APPEAL_DUE_STATUS": dates(np.where(fin & (dec != ""), comp + 30, -1)),
            "TRANSFER_STATUS": np.where(vc, "V", np.where(oth == "T", "T", "")).astype(object),
            "CUSTODY": pcust,
            "CASE_TYPE": pctype,
            "NAT": natc[pc],
            "LANG": lang[pc],
            "SCHEDULED_HEAR_LOC": hloc,
            "CORRECTIONAL_FAC": blank(P),
            "CRIM_IND": _pick(["N", "Y", ""], rng, P, [0.88, 0.05, 0.07]),
            "IHP": blank(P),
            "AGGRAVATE_FELON": _pick(["0", "1", ""], rng, P, [0.9, 0.01, 0.09]),
            "DATE_DETAINED": dates(np.where(pcust != "N", det_day[pc], -1)),
            "DATE_RELEASED": dates(np.where(pcust == "R", rel_day[pc], -1)),
        }

        out.tables["tbl_Court_Appln"] = {
            "IDNPROCEEDINGAPPLN": istr(aid),
            "IDNPROCEEDING": pid_s[ap],
            "IDNCASE": cid_s[ac],
            "APPL_CODE": acode,
            "APPL_RECD_DATE": dates(recd),
            "APPL_DEC": adec,
        }

        out.tables["tbl_RepsAssigned"] = self._reps_table(
            rng, ids, frame, ap_case, ap_proc, apid, filed
        )
        out.tables["tbl_CustodyHistory"] = self._custody_table(rng, ids, frame, det_day, rel_day)
        out.tables["tbl_Lead_Rider"] = self._lead_rider_table(rng, ids, frame, lc, rc)

        # parent references (clean id strings) for orphan accounting
        out.parents = {
            "B_TblProceeding": {"cases": out.tables["B_TblProceeding"]["IDNCASE"]},
            "tbl_Court_Appln": {
                "proceedings": out.tables["tbl_Court_Appln"]["IDNPROCEEDING"],
                "cases": out.tables["tbl_Court_Appln"]["IDNCASE"],
            },
            "tblAppeal": {
                "proceedings": out.tables["tblAppeal"]["idnProceeding"],
                "cases": out.tables["tblAppeal"]["idncase"],
            },
            "tbl_RepsAssigned": {"cases": out.tables["tbl_RepsAssigned"]["IDNCASE"]},
            "tbl_CustodyHistory": {"cases": out.tables["tbl_CustodyHistory"]["IDNCASE"]},
            "tbl_Lead_Rider": {
                "cases": out.tables["tbl_Lead_Rider"]["idnLeadCase"],
                "cases2": out.tables["tbl_Lead_Rider"]["idnRiderCase"],
            },
        }
        for t in out.tables.values():
            for name, col in t.items():
                if col.dtype != object:
                    t[name] = col.astype(object)
        return out

    # ------------------------------------------------------------------ tables
    def _reps_table(
        self,
        rng: np.random.Generator,
        ids: Ids,
        f: Frame,
        ap_case: np.ndarray,
        ap_proc: np.ndarray,
        apid: np.ndarray,
        filed: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """tbl_RepsAssigned: DHS (INS) attorneys, the alien's representatives (consistent with
        E_28_DATE) and board-level representatives of appeals."""
        m, cid, cid_s, pid = f.m, f.cid, f.cid_s, f.pid
        first, k, start, court = f.first, f.k, f.start, f.court
        rep, e28, R = f.rep, f.e28, self.release_day
        Q = len(apid)
        ins = rng.random(m) < 0.92
        n_alien = np.where(rep, 1 + rng.poisson(0.75, m), 0)
        rc_ins = np.nonzero(ins)[0]
        rc_al = np.repeat(np.arange(m), n_alien)
        al_first = np.cumsum(n_alien) - n_alien
        al_pos = np.arange(len(rc_al)) - al_first[rc_al]
        ap_rep = np.nonzero(rep[ap_case])[0]
        rcase = np.concatenate([rc_ins, rc_al, ap_case[ap_rep]])
        kind = np.concatenate(
            [np.zeros(len(rc_ins), int), np.ones(len(rc_al), int), np.full(len(ap_rep), 2)]
        )
        parent_proc = np.concatenate(
            [first[rc_ins], first[rc_al] + np.minimum(al_pos, k[rc_al] - 1), ap_proc[ap_rep]]
        )
        ptable = np.array(["B_TblProceeding", "A_TblCase", "tblAppeal"], dtype=object)
        o = np.lexsort((kind, rcase))
        rcase, kind, parent_proc = rcase[o], kind[o], parent_proc[o]
        al_pos_all = np.concatenate(
            [np.zeros(len(rc_ins), int), al_pos, np.zeros(len(ap_rep), int)]
        )[o]
        ap_idx = np.concatenate([np.zeros(len(rc_ins) + len(rc_al), int), ap_rep])[o]
        S = len(rcase)
        rid = np.arange(ids.rep, ids.rep + S, dtype=np.int64)
        ids.rep += S
        pt = ptable[kind]
        alien_proc_level = (kind == 1) & (al_pos_all > 0)
        pt[alien_proc_level] = "B_TblProceeding"
        pidn = np.where(
            kind == 0,
            pid[parent_proc],
            np.where(
                kind == 2,
                apid[ap_idx] if Q else 0,
                np.where(alien_proc_level, pid[parent_proc], cid[rcase]),
            ),
        )
        e28r = np.where(
            kind == 1,
            np.where(al_pos_all == 0, e28[rcase], np.minimum(start[parent_proc] + 20, R - 1)),
            -1,
        )
        e27r = np.where(kind == 2, filed[ap_idx] if Q else -1, -1)
        ta = np.where(kind == 0, np.minimum(start[parent_proc] + rng.integers(0, 60, S), R - 1), -1)
        table = {
            "IDNREPSASSIGNED": istr(rid),
            "IDNCASE": cid_s[rcase],
            "STRATTYLEVEL": np.where(kind == 2, "BOARD", "COURT").astype(object),
            "STRATTYTYPE": np.where(kind == 0, "INS", "ALIEN").astype(object),
            "PARENT_TABLE": pt,
            "PARENT_IDN": istr(pidn),
            "BASE_CITY_CODE": self.courts[court[parent_proc]],
            "INS_TA_DATE_ASSIGNED": dates(ta),
            "E_27_DATE": dates(e27r),
            "E_28_DATE": dates(e28r),
            "BLNPRIMEATTY": np.where(al_pos_all == 0, "1", "0").astype(object),
        }
        return table

    def _custody_table(
        self,
        rng: np.random.Generator,
        ids: Ids,
        f: Frame,
        det_day: np.ndarray,
        rel_day: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """tbl_CustodyHistory: detention spells consistent with the case's custody."""
        m, cid_s, first, start = f.m, f.cid_s, f.first, f.start
        custody, R = f.custody, self.release_day
        nc = np.select(
            [custody == "D", custody == "R"],
            [1 + rng.poisson(0.8, m), 1 + rng.poisson(0.3, m)],
            (rng.random(m) < 0.25).astype(int),
        )
        cc = np.repeat(np.arange(m), nc)
        cfirst = np.cumsum(nc) - nc
        cpos = np.arange(len(cc)) - cfirst[cc]
        C = len(cc)
        cdet = np.minimum(np.maximum(det_day[cc], start[first[cc]]) + cpos * 90, R - 1)
        is_last_c = cpos == nc[cc] - 1
        crel = np.where(
            is_last_c, np.where(custody[cc] == "R", np.maximum(rel_day[cc], cdet), -1), cdet + 60
        )
        crel = np.where(crel >= R, -1, crel)
        ccode = np.where(is_last_c, custody[cc], "R").astype(object)
        ccode[custody[cc] == "N"] = "N"
        cdet = np.where(ccode == "N", -1, cdet)
        crel = np.where(ccode == "N", -1, crel)
        table = {
            "IDNCUSTODY": istr(np.arange(ids.custody, ids.custody + C)),
            "IDNCASE": cid_s[cc],
            "CUSTODY": ccode,
            "DATDETAINED": dates(cdet),
            "DATRELEASED": dates(crel),
        }
        ids.custody += C
        return table

    def _lead_rider_table(
        self, rng: np.random.Generator, ids: Ids, f: Frame, lc: np.ndarray, rc: np.ndarray
    ) -> dict[str, np.ndarray]:
        """tbl_Lead_Rider: the family links drawn with the cases (``_families``)."""
        cid_s, pid, pid_s, first = f.cid_s, f.pid, f.pid_s, f.first
        lp, start, R = f.lp, f.start, self.release_day
        L = len(lc)
        active = rng.random(L) < 0.85
        created = np.minimum(start[first[lc]] + rng.integers(0, 90, L), R - 1)
        severed = np.where(active, -1, np.minimum(created + rng.integers(30, 700, L), R - 1))
        table = {
            "idnLeadRider": istr(np.arange(ids.lead, ids.lead + L)),
            "idnLeadCase": cid_s[lc],
            "idnRiderCase": cid_s[rc],
            "datCreatedOn": dates(created),
            "datModifiedOn": dates(np.where(active, created, severed)),
            "datSeveredOn": dates(severed),
            "idnLeadProceedingStart": pid_s[first[lc]],
            "idnLeadProceedingEnd": np.where(active, "", pid[lp[lc]].astype(str)).astype(object),
            "idnRiderProceedingStart": pid_s[first[rc]],
            "idnRiderProceedingEnd": np.where(active, "", pid[lp[rc]].astype(str)).astype(object),
            "blnActive": np.where(active, "1", "0").astype(object),
        }
        ids.lead += L
        return table

    def _appeal_table(
        self,
        rng: np.random.Generator,
        ids: Ids,
        f: Frame,
        comp: np.ndarray,
        lp_done: np.ndarray,
        outcome: np.ndarray,
        pctype: np.ndarray,
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """tblAppeal: DHS appeals of some grants, applicants' appeals of many denials, other
        appeal types; BIA decisions after the IJ decision, some pending. Also returns
        APPEAL_RSVD per proceeding and the appeals' case, proceeding, id and filing day."""
        m, cid_s, pid_s, lp = f.m, f.cid_s, f.pid_s, f.lp
        start, custody, rep, natc = f.start, f.custody, f.rep, f.natc
        lang, R, P = f.lang, self.release_day, len(f.pid)
        u = rng.random(m)
        filed_by = np.select(
            [
                (outcome == "grant") & (u < 0.07),
                (outcome == "grant") & (u < 0.08),
                (outcome == "deny") & (u < 0.42),
                (outcome == "deny") & (u < 0.435),
                (outcome != "grant") & (outcome != "deny") & lp_done & (u < 0.04),
            ],
            ["I", "B", "A", "B", "A"],
            "",
        )
        c1 = np.nonzero(filed_by != "")[0]
        c2 = np.nonzero(rng.random(m) < 0.045)[0]
        ap_case = np.concatenate([c1, c2])
        ap_by = np.concatenate(
            [filed_by[c1], _pick(["A", "I", "B", "O"], rng, len(c2), [0.82, 0.12, 0.03, 0.03])]
        )
        ap_type = np.concatenate(
            [
                np.full(len(c1), "Case Appeal", dtype=object),
                _pick(
                    [
                        "MTR BIA",
                        "Bond Appeal",
                        "Appeal of IJ MTR",
                        "Circuit Court Remand",
                        "Interlocutory Appeal",
                        "DD Visa",
                        "DD Fines",
                        "Case Appeal",
                    ],
                    rng,
                    len(c2),
                    [0.35, 0.12, 0.15, 0.06, 0.03, 0.14, 0.03, 0.12],
                ),
            ]
        )
        o = np.argsort(ap_case, kind="stable")
        ap_case, ap_by, ap_type = ap_case[o], ap_by[o], ap_type[o]
        ap_proc = lp[ap_case]
        base_day = np.where(comp[ap_proc] >= 0, comp[ap_proc], start[ap_proc] + 30)
        filed = base_day + rng.integers(5, 31, len(ap_case))
        ok = filed < R
        ap_case, ap_by, ap_type, ap_proc, filed = (
            ap_case[ok],
            ap_by[ok],
            ap_type[ok],
            ap_proc[ok],
            filed[ok],
        )
        Q = len(ap_case)
        apid = np.arange(ids.appeal, ids.appeal + Q, dtype=np.int64)
        ids.appeal += Q
        bdate = filed + (np.exp(rng.normal(np.log(280), 0.7, Q))).astype(int) + 15
        pending_bia = (bdate >= R) | (rng.random(Q) < 0.08)
        bdate = np.where(pending_bia, -1, bdate)
        bia = _pick(
            ["DIS", "SUS", "REM", "SAF", "DUT", "WDL", "TER", "ADM", "DEN", "GRN", "SUD", "OTH"],
            rng,
            Q,
            [0.42, 0.08, 0.14, 0.06, 0.04, 0.05, 0.04, 0.04, 0.05, 0.03, 0.03, 0.02],
        )
        bia[pending_bia] = ""
        btype = _pick(["R", "P"], rng, Q, [0.6, 0.4])
        btype[pending_bia] = ""
        cat = np.where(np.char.startswith(ap_type.astype(str), "DD"), "DD", "IJ").astype(object)
        table = {
            "idnAppeal": istr(apid),
            "idncase": cid_s[ap_case],
            # like the real table, ~9 % of appeals (motions, bond and DHS-officer appeals,
            # not case appeals) carry no proceeding id
            "idnProceeding": np.where(
                (ap_type != "Case Appeal") & (rng.random(Q) < 0.6), "", pid_s[ap_proc]
            ).astype(object),
            "strAppealCategory": cat,
            "strAppealType": ap_type,
            "datAppealFiled": dates(filed),
            "strFiledBy": ap_by,
            "datAttorneyE27": dates(np.where(rep[ap_case] & (rng.random(Q) < 0.7), filed, -1)),
            "datBIADecision": dates(bdate),
            "strBIADecision": bia,
            "strBIADecisionType": btype,
            "strCaseType": pctype[ap_proc],
            "strLang": lang[ap_case],
            "strNat": natc[ap_case],
            "strProceedingIHP": np.where(rng.random(Q) < 0.03, "Y", "N").astype(object),
            "strCustody": custody[ap_case],
            "strProbono": np.where(rng.random(Q) < 0.02, "Y", "").astype(object),
        }
        appeal_rsvd = blank(P)
        appeal_rsvd[ap_proc] = ap_by
        appeal_rsvd[~np.isin(appeal_rsvd, ["A", "I", "B"])] = ""
        return table, appeal_rsvd, ap_case, ap_proc, apid, filed

    def _case_table(
        self,
        rng: np.random.Generator,
        f: Frame,
        osc: np.ndarray,
        year: np.ndarray,
        ctype: np.ndarray,
        asy_type: np.ndarray,
        last_court: np.ndarray,
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """A_TblCase: addresses, custody dates, asylum type, priority codes; also returns the
        detention and release days used by the proceedings and the custody history."""
        m, cid_s, first, lp = f.m, f.cid_s, f.first, f.lp
        start, custody, e28, natc = f.start, f.custody, f.e28, f.natc
        lang, R = f.lang, self.release_day
        city = rng.integers(0, len(_CITIES), m)
        has_addr = rng.random(m) < 0.92
        cities = np.array([c for c, _, _ in _CITIES], dtype=object)
        states = np.array([s for _, s, _ in _CITIES], dtype=object)
        zips = np.array([z for _, _, z in _CITIES], dtype=object)
        zip_full = zips[city] + np.char.zfill(rng.integers(0, 100, m).astype(str), 2).astype(object)
        upd = rng.random(m) < 0.012
        ucity = rng.integers(0, len(_CITIES), m)
        detained = custody != "N"
        det_day = np.where(detained, start[first] - rng.integers(1, 30, m), -1)
        released = custody == "R"
        rel_day = np.where(released, np.minimum(det_day + rng.integers(10, 200, m), R - 1), -1)
        birth = NUM_S[rng.integers(1, 13, m)] + "/" + NUM_S[year - rng.integers(1, 60, m)]
        birth[rng.random(m) < 0.46] = ""
        # "AWC/ATD" (7 characters) is a real code too, but tables.py caps the column at 6.
        prio = _pick(
            ["UC", "CR", "RBC/D", "AWC/D", "AWC/ATD", ""],
            rng,
            m,
            [0.015, 0.002, 0.0015, 0.001, 0.002, 0.9785],
        )
        ltime = _pick(
            ["0830", "0900", "1000", "1300", "1330", "0800", "100", "1500"],
            rng,
            m,
            [0.25, 0.3, 0.1, 0.15, 0.1, 0.05, 0.02, 0.03],
        )
        lh = start[lp] + rng.integers(30, 400, m)
        rmon = np.where(released & (rng.random(m) < 0.3), rel_day, -1)
        rmd = EPOCH + np.maximum(rmon, 0).astype("timedelta64[D]")
        rmonth = NUM_S[rmd.astype("datetime64[M]").astype(int) % 12 + 1]
        ryear = NUM_S[rmd.astype("datetime64[Y]").astype(int) + 1970]
        rmonth[rmon < 0] = ""
        ryear[rmon < 0] = ""
        fac = blank(m)
        dmask = (custody == "D") & (rng.random(m) < 0.3)
        fac[dmask] = np.array(_FACILITIES, dtype=object)[
            rng.integers(0, len(_FACILITIES), int(dmask.sum()))
        ]
        sex = _pick(["M", "F", ""], rng, m, [0.6, 0.38, 0.02])
        lpr = np.where(rng.random(m) < 0.02, "1", "0").astype(object)
        lpr[rng.random(m) < 0.1] = ""
        table = {
            "IDNCASE": cid_s,
            "ALIEN_CITY": np.where(has_addr, cities[city], ""),
            "ALIEN_STATE": np.where(has_addr, states[city], ""),
            "ALIEN_ZIPCODE": np.where(has_addr, zip_full, ""),
            "UPDATED_ZIPCODE": np.where(upd, zips[ucity] + "01", ""),
            "UPDATED_CITY": np.where(upd, cities[ucity], ""),
            "NAT": natc,
            "LANG": lang,
            "CUSTODY": custody,
            "SITE_TYPE": _pick(["I", "M", ""], rng, m, [0.6, 0.3, 0.1]),
            "E_28_DATE": dates(e28),
            "ATTY_NBR": blank(m),
            "CASE_TYPE": ctype,
            "UPDATE_SITE": self.courts[last_court],
            "LATEST_HEARING": dates(lh),
            "LATEST_TIME": ltime,
            "LATEST_CAL_TYPE": _pick(["M", "I", ""], rng, m, [0.6, 0.35, 0.05]),
            "UP_BOND_DATE": dates(np.where(detained & (rng.random(m) < 0.1), det_day + 20, -1)),
            "UP_BOND_RSN": blank(m),
            "CORRECTIONAL_FAC": fac,
            "RELEASE_MONTH": rmonth,
            "RELEASE_YEAR": ryear,
            "INMATE_HOUSING": blank(m),
            "DATE_OF_ENTRY": dates(
                np.where(rng.random(m) < 0.85, np.maximum(osc - rng.integers(0, 3000, m), 0), -1)
            ),
            "C_ASY_TYPE": asy_type,
            "C_BIRTHDATE": birth,
            "C_RELEASE_DATE": dates(np.where(released & (rng.random(m) < 0.5), rel_day, -1)),
            "UPDATED_STATE": np.where(upd, states[ucity], ""),
            "ADDRESS_CHANGEDON": dates(
                np.where(rng.random(m) < 0.3, np.minimum(osc + rng.integers(30, 900, m), R - 1), -1)
            ),
            "ZBOND_MRG_FLAG": blank(m),
            "Sex": sex,
            "DATE_DETAINED": dates(det_day),
            "DATE_RELEASED": dates(rel_day),
            "LPR": lpr,
            "DETENTION_DATE": blank(m),
            "DETENTION_LOCATION": blank(m),
            "DCO_LOCATION": blank(m),
            "DETENTION_FACILITY_TYPE": blank(m),
            "CASEPRIORITY_CODE": prio,
        }
        return table, det_day, rel_day
