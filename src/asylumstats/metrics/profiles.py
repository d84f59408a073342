"""Profiles of a judge, a court or a nationality: its rate against its court and the nation.

Each profile is a plain dict (JSON-ready) built only from :func:`rate_result`, so the CLI and
the web API show the same numbers. Judges and nationalities are found by code or by name
(case-insensitive, partial, word order free: "ouslander" finds "OUSLANDER, JOHN"); a name that
matches several raises :class:`UserError` listing them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics.definitions import Definition, get_definition
from asylumstats.metrics.dimensions import DIMENSIONS
from asylumstats.metrics.filters import Filters, check_codes
from asylumstats.metrics.query import is_synthetic, release_info
from asylumstats.metrics.rates import VALUE_FIELDS, RateResult, combine, rate_result
from asylumstats.model.sql import lookup_sql

#: How many nationalities / courts / judges a profile lists.
TOP_N = 10


def candidates(engine: Any, dimension: str) -> dict[str, str | None]:
    """Every code of a dimension in the release (data and lookup) → its name."""
    dim = DIMENSIONS[dimension]
    name_col = dim.name_column or "NULL"
    out: dict[str, str | None] = {}
    if dim.lookup is not None:
        sub = lookup_sql(dim.lookup, engine.table_columns)
        if sub is not None:
            for c, n in engine.query(sub).rows:
                out[c] = n
    rows = engine.query(
        f"SELECT DISTINCT {dim.code_column}, {name_col} FROM asylum_decisions "
        f"WHERE {dim.code_column} IS NOT NULL"
    ).rows
    for c, n in rows:
        if out.get(c) is None:
            out[c] = n
    return out


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,.;]+", text.casefold()) if t]


def resolve(engine: Any, dimension: str, text: str) -> tuple[str, str | None]:
    """``(code, name)`` of the one entity of ``dimension`` that ``text`` names (code or name)."""
    query = (text or "").strip()
    if not query:
        raise UserError(f"Give a {dimension} code or name.")
    memo = getattr(engine, "memo", {})
    key = ("profile_candidates", dimension)
    if key not in memo:  # the database is read-only to an engine: the list cannot change
        memo[key] = candidates(engine, dimension)
    known = memo[key]
    code = query.upper()
    if code in known:
        return code, known[code]
    folded = query.casefold()
    exact = [(c, n) for c, n in known.items() if n and n.strip().casefold() == folded]
    if len(exact) == 1:
        return exact[0]
    tokens = _tokens(query)
    matches = exact or [
        (c, n) for c, n in known.items() if n and all(t in n.casefold() for t in tokens)
    ]
    if not matches:
        raise NotFoundError(f"No {dimension} in this release has the code or name '{query}'.")
    if len(matches) > 1:
        matches.sort(key=lambda cn: (cn[1] or "", cn[0]))
        shown = "; ".join(f"{c} ({n})" for c, n in matches[:TOP_N])
        more = f" and {len(matches) - TOP_N} more" if len(matches) > TOP_N else ""
        raise UserError(
            f"'{query}' matches {len(matches)} {dimension}s: {shown}{more}; give a code."
        )
    return matches[0]


def _values(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: row[k] for k in VALUE_FIELDS}


def _diff(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if not a or not b or a["grant_rate"] is None or b["grant_rate"] is None:
        return None
    return a["grant_rate"] - b["grant_rate"]


def _top(result: RateResult, n: int = TOP_N) -> list[dict[str, Any]]:
    rows = sorted(
        result.rows,
        key=lambda r: (-r["decisions"], -(r["grants"] + r["denials"] + r["other"])),
    )
    return rows[:n]


def _represented_share(engine: Any, filters: Filters, d: Definition) -> dict[str, Any]:
    rows = rate_result(engine, ["represented"], filters, d, check=False).rows
    total = sum(r["decisions"] for r in rows)
    with_lawyer = sum(r["decisions"] for r in rows if r["represented"])
    return {
        "represented_decisions": with_lawyer,
        "represented_share": (with_lawyer / total) if total else None,
    }


def _by_year(
    subject: RateResult, comparisons: dict[str, RateResult | None]
) -> list[dict[str, Any]]:
    years = sorted({r["fiscal_year"] for r in subject.rows if r["fiscal_year"] is not None})
    index = {
        name: {r["fiscal_year"]: r for r in res.rows} if res else {}
        for name, res in comparisons.items()
    }
    out = []
    for y in years:
        entry: dict[str, Any] = {"fiscal_year": y}
        entry["rate"] = _values(next(r for r in subject.rows if r["fiscal_year"] == y))
        for name in comparisons:
            entry[name] = _values(index[name].get(y)) if comparisons[name] else None
        out.append(entry)
    return out


def _nation_by_year(engine: Any, filters: Filters, d: Definition) -> RateResult:
    """The nation's rates by fiscal year, cached per engine (the database is read-only to
    it), by definition and filters; only copies of its rows leave a profile."""
    memo = getattr(engine, "memo", {})
    key = ("profile_nation_fy", d, filters)
    if key not in memo:
        memo[key] = rate_result(engine, ["fiscal_year"], filters, d, check=False)
    return memo[key]


@dataclass(frozen=True)
class _Subject:
    """The judge, court or nationality a profile is about, and its rates by fiscal year."""

    kind: str  # judge, court or nationality
    d: Definition
    base: Filters  # the caller's filters without the subject's own dimension
    filters: Filters  # ``base`` narrowed to the subject
    keys: dict[str, Any]  # its code and name: {"<kind>_code": …, "<kind>_name": …}
    by_fy: RateResult
    overall: dict[str, Any]

    def rates(self, engine: Any, dimension: str) -> RateResult:
        """The subject's rates grouped by one dimension."""
        return rate_result(engine, [dimension], self.filters, self.d, check=False)


def _subject(
    engine: Any, kind: str, text: str, definition: str | Definition, filters: Filters | None
) -> _Subject:
    """Resolve ``text`` to one ``kind`` (judge, court, nationality) and rate it by year."""
    d = get_definition(definition)
    base = (filters or Filters()).without(kind)
    check_codes(engine, base)
    code, name = resolve(engine, kind, text)
    subject_f = replace(base, **{kind: code})
    by_fy = rate_result(engine, ["fiscal_year"], subject_f, d, check=False)
    keys = {f"{kind}_code": code, f"{kind}_name": name}
    return _Subject(kind, d, base, subject_f, keys, by_fy, combine(by_fy.rows, d))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _header(engine: Any, s: _Subject) -> dict[str, Any]:
    info = release_info(engine)
    return {
        "profile": s.kind,
        **s.keys,
        "definition": s.d.name,
        "formula": s.d.formula,
        "filters": s.filters.as_dict(),
        "window": {
            "first_decision": _iso(s.by_fy.first_decision),
            "last_decision": _iso(s.by_fy.last_decision),
        },
        "release_date": info.get("release_date"),
        "synthetic": is_synthetic(info),
    }


def _against_nation(engine: Any, s: _Subject, nation_filters: Filters) -> dict[str, Any]:
    """A court or nationality profile up to its rates by fiscal year, against the nation's
    (under ``nation_filters``)."""
    nation_fy = _nation_by_year(engine, nation_filters, s.d)
    nation = combine(nation_fy.rows, s.d)
    out = _header(engine, s)
    out.update(
        decisions=s.overall["decisions"],
        rate=_values(s.overall),
        nation=_values(nation),
        vs_nation=_diff(s.overall, nation),
        by_fiscal_year=_by_year(s.by_fy, {"nation": nation_fy}),
    )
    return out


def judge_profile(
    engine: Any, judge: str, definition: str | Definition = "merits", filters: Filters | None = None
) -> dict[str, Any]:
    """A judge's rate vs their main court (most decisions in the window) and the nation."""
    s = _subject(engine, "judge", judge, definition, filters)
    d, base, overall = s.d, s.base, s.overall
    courts = s.rates(engine, "court")
    main = _top(courts, 1)
    court_fy = court_row = None
    court_keys: dict[str, Any] = {}
    if main:
        court_keys = {"court_code": main[0]["court_code"], "court_name": main[0]["court_name"]}
        court_fy = rate_result(
            engine, ["fiscal_year"], replace(base, court=main[0]["court_code"]), d, check=False
        )
        court_row = combine(court_fy.rows, d)
    nation_fy = _nation_by_year(engine, base.without("court"), d)
    nation = combine(nation_fy.rows, d)
    out = _header(engine, s)
    out.update(
        decisions=overall["decisions"],
        rate=_values(overall),
        court={**court_keys, **(_values(court_row) or {})} if court_row else None,
        nation=_values(nation),
        vs_court=_diff(overall, court_row),
        vs_nation=_diff(overall, nation),
        courts=courts.rows,
        by_fiscal_year=_by_year(s.by_fy, {"court": court_fy, "nation": nation_fy}),
        top_nationalities=_top(s.rates(engine, "nationality")),
        **_represented_share(engine, s.filters, d),
    )
    return out


def court_profile(
    engine: Any, court: str, definition: str | Definition = "merits", filters: Filters | None = None
) -> dict[str, Any]:
    """A court's rate vs the nation, by fiscal year, its judges and top nationalities."""
    s = _subject(engine, "court", court, definition, filters)
    out = _against_nation(engine, s, s.base.without("judge"))
    out.update(
        judges=s.rates(engine, "judge").rows,
        top_nationalities=_top(s.rates(engine, "nationality")),
        **_represented_share(engine, s.filters, s.d),
    )
    return out


def nationality_profile(
    engine: Any,
    nationality: str,
    definition: str | Definition = "merits",
    filters: Filters | None = None,
) -> dict[str, Any]:
    """A nationality's rate vs all nationalities, by fiscal year, with its top courts/judges."""
    s = _subject(engine, "nationality", nationality, definition, filters)
    out = _against_nation(engine, s, s.base)
    out.update(
        top_courts=_top(s.rates(engine, "court")),
        top_judges=_top(s.rates(engine, "judge")),
        **_represented_share(engine, s.filters, s.d),
    )
    return out
