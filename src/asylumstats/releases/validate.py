"""``validate``: the database's figures beside published ones, like compared with like.

Three sets of published figures ship in ``releases/published/`` (see its SOURCES.md):

- the case-level national / state / court asylum outcomes FY2020-2026 built on the Deportation
  Data Project's file: compared with the ``published-case`` definition below, which restates
  that table's own convention;
- TRAC's national asylum decision counts and denial rates: compared with the application-level
  ``merits`` figures (TRAC's convention; TRAC uses its own files, hence a wide tolerance);
- EOIR's published pending cases at the end of FY2008-FY2020: compared with the backlog at
  each fiscal year's end under EOIR's scope (``backlog --case-type eoir``);
- raw-file row counts of the 2026 releases: compared with the rows of the same month's
  release, when the database holds one.

Each row is ``{source, figure, published, ours, difference, tolerance, status}``;
``difference = ours - published``; status ``ok`` when ``|difference| <= tolerance``, ``outside
tolerance`` otherwise, ``missing`` when the database has no such figure, and ``synthetic`` on a
synthetic database (the comparison still runs, but means nothing).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from asylumstats.engines.base import Engine
from asylumstats.ingest.tables import BY_STEM
from asylumstats.metrics.query import is_synthetic, release_info
from asylumstats.model.outcomes import DENIAL_CODES, GRANT_CODES

#: The published table's name for its convention (a named definition).
PUBLISHED_CASE = "published-case"
#: Decision priority of the published convention, strongest first (blank is weakest).
PRIORITY = ("F", "G", "D", "C", "I", "L", "P", "S", "A", "R", "O", "T", "W", "M")
WINDOW = ("2020-01-01", "2026-07-01")  # [from, to): FY2020 from January, FY2026 to June
CASE_TYPES = ("RMV", "WHO")
NTA_FROM = "1997-10-01"

#: Tolerances: counts as a share of the published value (at least ``MIN_COUNT``), rates in
#: absolute points of a 0..1 rate.
COUNT_SHARE = {"national": 0.03, "state": 0.08, "court": 0.10, "trac": 0.10, "eoir": 0.10}
RATE_POINTS = {"national": 0.02, "state": 0.04, "court": 0.05, "trac": 0.05}
MIN_COUNT = 10
ROW_COUNT_TOLERANCE = 500  # readers of the same file disagree by up to a few hundred rows

FIELDS = ("source", "figure", "published", "ours", "difference", "tolerance", "status")
_CASE_SOURCE = "deportationdata case file 2026-07 (huarenusvisa/trrb)"


def _sql_list(codes: Any) -> str:
    return ", ".join(f"'{c}'" for c in sorted(codes))


def published_case_sql() -> str:
    """One row per case under the published convention: idncase, outcome, fiscal_year,
    court_code, state (DuckDB dialect; runs on every engine)."""
    rank = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(PRIORITY))
    return f"""
WITH last_proc AS (
  SELECT idncase, comp_date, base_city_code FROM (
    SELECT idncase, comp_date, base_city_code,
      row_number() OVER (PARTITION BY idncase
        ORDER BY CASE WHEN comp_date IS NULL THEN 0 ELSE 1 END, comp_date DESC,
                 idnproceeding DESC) AS rn
    FROM proceedings WHERE idncase IS NOT NULL) AS p
  WHERE rn = 1),
in_scope AS (
  SELECT idncase FROM proceedings WHERE idncase IS NOT NULL
  GROUP BY idncase
  HAVING count(DISTINCT case_type) = 1 AND min(case_type) IN ({_sql_list(CASE_TYPES)})
     AND min(osc_date) >= TIMESTAMP '{NTA_FROM}'),
last_asyl AS (
  SELECT idncase, appl_dec FROM (
    SELECT idncase, appl_dec,
      row_number() OVER (PARTITION BY idncase
        ORDER BY CAST(appl_recd_date AS DATE) DESC NULLS LAST,
                 CASE appl_dec {rank} ELSE {len(PRIORITY)} END,
                 appl_recd_date DESC NULLS LAST, idnproceedingappln DESC) AS rn
    FROM applications WHERE appl_code = 'ASYL' AND idncase IS NOT NULL) AS a
  WHERE rn = 1)
SELECT a.idncase,
  CASE WHEN a.appl_dec IN ({_sql_list(GRANT_CODES)}) THEN 'grant' ELSE 'denial' END AS outcome,
  CAST(year(p.comp_date) + CASE WHEN month(p.comp_date) >= 10 THEN 1 ELSE 0 END AS INTEGER)
    AS fiscal_year,
  p.base_city_code AS court_code
FROM last_asyl a
JOIN in_scope s ON s.idncase = a.idncase
JOIN last_proc p ON p.idncase = a.idncase
WHERE a.appl_dec IN ({_sql_list(set(GRANT_CODES) | set(DENIAL_CODES))})
  AND p.comp_date >= TIMESTAMP '{WINDOW[0]}' AND p.comp_date < TIMESTAMP '{WINDOW[1]}'
"""


@dataclass(frozen=True)
class Counts:
    grants: int
    denials: int

    @property
    def decisions(self) -> int:
        return self.grants + self.denials

    @property
    def rate(self) -> float | None:
        return self.grants / self.decisions if self.decisions else None


def published_case_counts(engine: Engine) -> dict[tuple[str, str, int], Counts]:
    """{(level, key, fiscal year): counts} under the published convention; level is
    ``national`` (key ""), ``state`` (key = state) or ``court`` (key = court code)."""
    states = "NULL"
    if "base_state" in engine.table_columns("tbllookupbasecity"):
        states = (
            "(SELECT max(l.base_state) FROM tbllookupbasecity l "
            "WHERE l.base_city_code = d.court_code)"
        )
    sql = f"""
SELECT court_code, {states} AS state, fiscal_year,
  sum(CASE WHEN outcome = 'grant' THEN 1 ELSE 0 END) AS grants,
  sum(CASE WHEN outcome = 'denial' THEN 1 ELSE 0 END) AS denials
FROM ({published_case_sql()}) AS d
GROUP BY court_code, fiscal_year
"""
    out: dict[tuple[str, str, int], list[int]] = {}
    for court, state, fy, g, d in engine.query(sql).rows:
        keys = [("national", ""), ("court", str(court or ""))]
        if state:
            keys.append(("state", str(state)))
        for level, key in keys:
            acc = out.setdefault((level, key, int(fy)), [0, 0])
            acc[0] += int(g)
            acc[1] += int(d)
    return {k: Counts(g, d) for k, (g, d) in out.items()}


def _read(name: str) -> list[dict[str, str]]:
    ref = resources.files("asylumstats.releases").joinpath("published", name)
    with ref.open("r", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _row(
    source: str, figure: str, published: float, ours: float | None, tolerance: float
) -> dict[str, Any]:
    if ours is None:
        return dict(
            zip(FIELDS, (source, figure, published, None, None, tolerance, "missing"), strict=True)
        )
    diff = ours - published
    if isinstance(diff, float):
        diff = round(diff, 6)
    status = "ok" if abs(diff) <= tolerance + 1e-12 else "outside tolerance"
    return dict(
        zip(FIELDS, (source, figure, published, ours, diff, tolerance, status), strict=True)
    )


def _count_tol(level: str, published: float) -> int:
    return max(MIN_COUNT, round(COUNT_SHARE[level] * published))


def case_rows(engine: Engine) -> Iterator[dict[str, Any]]:
    """The published case-level table beside ours."""
    ours = published_case_counts(engine)
    for p in _read("asylum_outcomes_fy2020_2026_national_state_court.csv"):
        level = p["level"]
        key = {"national": "", "state": p["state"], "court": p["court_code"]}[level]
        fy = int(p["fiscal_year"])
        where = {"national": "national", "state": p["state"], "court": p["court_code"]}[level]
        got = ours.get((level, key, fy))
        label = f"FY{fy} {where}"
        grants, decisions = int(p["grants"]), int(p["total_asylum_decisions"])
        yield _row(
            _CASE_SOURCE,
            f"{label}: asylum decisions ({PUBLISHED_CASE})",
            decisions,
            got.decisions if got else None,
            _count_tol(level, decisions),
        )
        yield _row(
            _CASE_SOURCE,
            f"{label}: grants ({PUBLISHED_CASE})",
            grants,
            got.grants if got else None,
            _count_tol(level, grants),
        )
        yield _row(
            _CASE_SOURCE,
            f"{label}: approval rate ({PUBLISHED_CASE})",
            round(float(p["approval_rate_pct"]) / 100, 6),
            round(got.rate, 6) if got and got.rate is not None else None,
            RATE_POINTS[level],
        )


def trac_rows(engine: Engine) -> Iterator[dict[str, Any]]:
    """TRAC's national figures beside the application-level merits figures."""
    sql = (
        "SELECT fiscal_year, sum(CASE WHEN outcome = 'grant' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN outcome = 'denial' THEN 1 ELSE 0 END) FROM asylum_decisions "
        "GROUP BY fiscal_year"
    )
    by_fy = {int(fy): Counts(int(g), int(d)) for fy, g, d in engine.query(sql).rows if fy}
    for p in _read("trac_asylum_decisions.csv"):
        fy, figure, value = int(p["fiscal_year"]), p["figure"], float(p["value"])
        c = by_fy.get(fy)
        src = p["source"]
        if figure == "denial rate":
            ours = None if c is None or c.rate is None else round(1 - c.rate, 6)
            yield _row(src, f"FY{fy} national: {figure} (merits)", value, ours, RATE_POINTS["trac"])
            continue
        ours_n = None if c is None else (c.grants if figure == "asylum grants" else c.decisions)
        yield _row(
            src,
            f"FY{fy} national: {figure} (merits)",
            int(value),
            ours_n,
            _count_tol("trac", value),
        )


def eoir_pending_rows(engine: Engine) -> Iterator[dict[str, Any]]:
    """EOIR's published pending cases at each fiscal year's end (FY2008-FY2020) beside the
    backlog under EOIR's scope (removal, deportation, exclusion, asylum-only, withholding-only
    proceedings; administratively closed cases left out)."""
    from asylumstats.metrics.backlog import backlog_rows

    published: dict[int, int] = {}
    source = ""
    for p in _read("validation_targets_published.csv"):
        if not p["metric"].startswith("pending /") or not p["fiscal_year"].isdigit():
            continue
        published[int(p["fiscal_year"])] = int(p["value"].split("/")[0].strip())
        source = source or p["source"]
    if not published or not all(engine.has_table(t) for t in ("cases", "proceedings")):
        return
    rows = backlog_rows(engine, "fiscal_year", case_types="eoir")
    ours = {int(r["fiscal_year"]): int(r["pending"]) for r in rows if r["fiscal_year"]}
    for fy, value in sorted(published.items()):
        yield _row(
            source,
            f"FY{fy} national: cases pending on 30 September (backlog, EOIR scope)",
            value,
            ours.get(fy),
            _count_tol("eoir", value),
        )


def row_count_rows(engine: Engine, release_date: str | None) -> Iterator[dict[str, Any]]:
    """Raw-file rows of the same month's release, as other tools read them."""
    if not release_date or not engine.has_table("ingest_report"):
        return
    month = release_date[:7]
    ours = {
        str(stem).lower(): int(n)
        for stem, n in engine.query("SELECT table_name, rows_in_file FROM ingest_report").rows
    }
    for p in _read("row_counts_by_release.csv"):
        if not p["release"].startswith(month):
            continue
        stem = p["table_file"].rsplit(".", 1)[0]
        if stem.lower() not in BY_STEM:
            continue
        yield _row(
            f"{p['source_repo']} ({p['parser_or_source']})",
            f"{month} release: rows in {p['table_file']}",
            int(p["rows"]),
            ours.get(stem.lower()),
            ROW_COUNT_TOLERANCE,
        )


@dataclass
class Validation:
    rows: list[dict[str, Any]]
    release: dict[str, str]
    synthetic: bool

    def summary(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r["status"]] = out.get(r["status"], 0) + 1
        return out


def validate(engine: Engine, synthetic: bool | None = None) -> Validation:
    """Every published figure beside ours. ``synthetic`` overrides the release's own flag."""
    info = release_info(engine)
    synth = is_synthetic(info) if synthetic is None else synthetic
    rows = [
        *case_rows(engine),
        *trac_rows(engine),
        *eoir_pending_rows(engine),
        *row_count_rows(engine, info.get("release_date")),
    ]
    if synth:
        for r in rows:
            r["status"] = "synthetic"
    return Validation(rows, info, synth)
