"""Profiles of a judge, a court, a nationality or a language: its rate against its court and
the nation.

Comparisons are honest (SPEC §2.2): the court and the nation are computed over the subject's
fiscal years with the same window and filters, and beside a judge "the court" is the other
judges of the judge's main court. Each profile is a plain dict (JSON-ready) built only from
:func:`rate_result`, so the CLI and the web API show the same numbers. Subjects are found by
code or by name (case-insensitive, partial, word order free: "ouslander" finds "OUSLANDER,
JOHN"); a name that matches several raises :class:`UserError` listing them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics.definitions import Definition, get_definition
from asylumstats.metrics.dimensions import DIMENSIONS, court_label
from asylumstats.metrics.filters import Filters, check_codes
from asylumstats.metrics.query import is_synthetic, release_info
from asylumstats.metrics.rates import VALUE_FIELDS, RateResult, combine, rate_result, regroup
from asylumstats.model.sql import lookup_sql

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

#: How many nationalities / courts / judges a profile lists.
TOP_N = 10


def candidates(engine: Engine, dimension: str) -> dict[str, str | None]:
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


def resolve(engine: Engine, dimension: str, text: str) -> tuple[str, str | None]:
    """``(code, name)`` of the one entity of ``dimension`` that ``text`` names (code or name)."""
    query = (text or "").strip()
    if not query:
        raise UserError(f"Give a {dimension} code or name.")
    memo = engine.memo
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


def main_court(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The court with the most asylum decisions (any outcome); ties: first court code."""
    ranked = sorted(
        (r for r in rows if r["court_code"] is not None),
        key=lambda r: (-(r["grants"] + r["denials"] + r["other"]), r["court_code"]),
    )
    return ranked[0] if ranked else None


def _represented_share(engine: Engine, s: _Subject) -> dict[str, Any]:
    rows = s.rates(engine, "represented").rows
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


def _comparison_by_year(engine: Engine, filters: Filters, d: Definition) -> RateResult:
    """A comparison's rates by fiscal year under ``filters``.

    The subject's fiscal years and an excluded judge are applied here to the rows by fiscal
    year (and judge) of the comparison without them, so one query, cached per engine (the
    database is read-only to it), serves every judge of a court and every subject with the
    same filters; only copies of its rows leave a profile.
    """
    wide = replace(filters, fiscal_years=None, not_judges=())
    dims = ("fiscal_year", "judge") if filters.not_judges else ("fiscal_year",)
    memo = engine.memo
    key = ("profile_comparison", d, wide, dims)
    if key not in memo:
        memo[key] = rate_result(engine, list(dims), wide, d, check=False)
    full: RateResult = memo[key]
    years = None if filters.fiscal_years is None else set(filters.fiscal_years)
    rows = [
        r
        for r in full.rows
        if (years is None or r["fiscal_year"] in years)
        and (not filters.not_judges or r["judge_code"] not in filters.not_judges)
    ]
    return regroup(replace(full, rows=rows, filters=filters), ["fiscal_year"])


#: Kinds of profile → the filters a comparison with the nation drops (the subject's own
#: dimension and the places, which would make "the nation" one court).
_NATION_DROPS: dict[str, tuple[str, ...]] = {
    "judge": ("judge", "court", "hearing_location"),
    "court": ("judge", "court", "hearing_location"),
    "nationality": ("nationality",),
    "language": ("language",),
}


#: Kind of profile → the dimensions fetched with its rates by fiscal year in one query (a
#: judge's groups are few; a court's judges × nationalities would be too many rows).
_LISTS: dict[str, tuple[str, ...]] = {
    "judge": ("court", "nationality", "represented"),
    "court": ("represented",),
    "nationality": ("represented",),
    "language": ("represented",),
}


@dataclass(frozen=True)
class _Subject:
    """The judge, court, nationality or language a profile is about, and its rates by year."""

    kind: str
    d: Definition
    base: Filters  # the caller's filters without the subject's own dimension
    filters: Filters  # ``base`` narrowed to the subject
    keys: dict[str, Any]  # its code and name: {"<kind>_code": …, "<kind>_name": …}
    detail: RateResult  # by fiscal year and every dimension the profile lists (one query)
    by_fy: RateResult
    overall: dict[str, Any]

    @property
    def code(self) -> str:
        return str(self.keys[f"{self.kind}_code"])

    @property
    def fiscal_years(self) -> tuple[int, ...]:
        """The fiscal years of the subject's decisions (any outcome) under the filters."""
        return tuple(sorted(r["fiscal_year"] for r in self.by_fy.rows if r["fiscal_year"]))

    def rates(self, engine: Engine, dimension: str) -> RateResult:
        """The subject's rates grouped by one dimension (summed from ``detail`` if it has it)."""
        if dimension in {d.name for d in self.detail.by}:
            return regroup(self.detail, [dimension])
        return rate_result(engine, [dimension], self.filters, self.d, check=False)

    def nation_filters(self) -> Filters:
        """The nation beside the subject: same window and filters, the subject's years."""
        return replace(self.base.without(*_NATION_DROPS[self.kind]), fiscal_years=self.fiscal_years)


def _subject(
    engine: Engine, kind: str, text: str, definition: str | Definition, filters: Filters | None
) -> _Subject:
    """Resolve ``text`` to one ``kind`` (judge, court, nationality, language), rate it by year."""
    d = get_definition(definition)
    base = (filters or Filters()).without(kind)
    check_codes(engine, base)
    code, name = resolve(engine, kind, text)
    subject_f = replace(base, **{kind: (code,)})
    detail = rate_result(engine, ["fiscal_year", *_LISTS[kind]], subject_f, d, check=False)
    by_fy = regroup(detail, ["fiscal_year"])
    keys = {f"{kind}_code": code, f"{kind}_name": name}
    return _Subject(kind, d, base, subject_f, keys, detail, by_fy, combine(by_fy.rows, d))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _years_text(years: tuple[int, ...]) -> str:
    if not years:
        return "no fiscal year"
    if len(years) == 1:
        return f"FY{years[0]}"
    if years[-1] - years[0] + 1 == len(years):
        return f"FY{years[0]}-FY{years[-1]}"
    return f"the {len(years)} fiscal years with decisions between FY{years[0]} and FY{years[-1]}"


def _header(engine: Engine, s: _Subject) -> dict[str, Any]:
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
        "fiscal_years": list(s.fiscal_years),
        "excluded_implausible": s.by_fy.excluded_implausible,
        "release_date": info.get("release_date"),
        "synthetic": is_synthetic(info),
    }


def _filters_text(f: Filters) -> str:
    """The user's filters of a comparison (its years and excluded judge are said apart)."""
    text = replace(f, fiscal_years=None, not_judges=()).describe()
    return "no other filter" if text == "all decisions" else text


def _nation_caption(s: _Subject, nation_f: Filters) -> str:
    if not s.fiscal_years:
        return "Nation: not compared (no decisions of this subject match)."
    return f"Nation: all courts over {_years_text(s.fiscal_years)} ({_filters_text(nation_f)})."


def _against_nation(engine: Engine, s: _Subject) -> dict[str, Any]:
    """A court, nationality or language profile up to its rates by fiscal year, against the
    nation over the subject's fiscal years, window and filters."""
    nation_f = s.nation_filters()
    nation_fy = _comparison_by_year(engine, nation_f, s.d)
    nation = combine(nation_fy.rows, s.d)
    out = _header(engine, s)
    out.update(
        decisions=s.overall["decisions"],
        rate=_values(s.overall),
        nation=_values(nation),
        vs_nation=_diff(s.overall, nation),
        comparison={"nation_filters": nation_f.as_dict(), "caption": _nation_caption(s, nation_f)},
        by_fiscal_year=_by_year(s.by_fy, {"nation": nation_fy}),
    )
    return out


def judge_profile(
    engine: Engine,
    judge: str,
    definition: str | Definition = "merits",
    filters: Filters | None = None,
) -> dict[str, Any]:
    """A judge's rate vs the other judges of their main court and the nation, both over the
    judge's fiscal years, window and filters (SPEC §2.2)."""
    s = _subject(engine, "judge", judge, definition, filters)
    d, overall = s.d, s.overall
    courts = s.rates(engine, "court")
    main = main_court(courts.rows)
    court_fy = court_row = None
    court_keys: dict[str, Any] = {}
    court_f: Filters | None = None
    if main:
        court_keys = {"court_code": main["court_code"], "court_name": main["court_name"]}
        court_f = replace(
            s.base.narrowed(court=main["court_code"]),
            fiscal_years=s.fiscal_years,
            not_judges=(s.code,),
        )
        court_fy = _comparison_by_year(engine, court_f, d)
        court_row = combine(court_fy.rows, d)
    nation_f = s.nation_filters()
    nation_fy = _comparison_by_year(engine, nation_f, d)
    nation = combine(nation_fy.rows, d)
    years = _years_text(s.fiscal_years)
    court_caption = (
        f"Court: the other judges of {court_label(main['court_code'], main['court_name'])} "
        f"(the judge's main court; judge {s.code} excluded) over {years} "
        f"({_filters_text(court_f.without('court')) if court_f else ''})."
        if main
        else "Court: none (no decisions)."
    )
    out = _header(engine, s)
    out.update(
        decisions=overall["decisions"],
        rate=_values(overall),
        court={**court_keys, **(_values(court_row) or {})} if court_row else None,
        nation=_values(nation),
        vs_court=_diff(overall, court_row),
        vs_nation=_diff(overall, nation),
        comparison={
            "court_filters": court_f.as_dict() if court_f else None,
            "nation_filters": nation_f.as_dict(),
            "caption": f"{court_caption} {_nation_caption(s, nation_f)}",
        },
        courts=courts.rows,
        by_fiscal_year=_by_year(s.by_fy, {"court": court_fy, "nation": nation_fy}),
        top_nationalities=_top(s.rates(engine, "nationality")),
        **_represented_share(engine, s),
    )
    return out


def court_profile(
    engine: Engine,
    court: str,
    definition: str | Definition = "merits",
    filters: Filters | None = None,
) -> dict[str, Any]:
    """A court's rate vs the nation, by fiscal year, its judges and top nationalities."""
    s = _subject(engine, "court", court, definition, filters)
    out = _against_nation(engine, s)
    out.update(
        judges=s.rates(engine, "judge").rows,
        top_nationalities=_top(s.rates(engine, "nationality")),
        **_represented_share(engine, s),
    )
    return out


def nationality_profile(
    engine: Engine,
    nationality: str,
    definition: str | Definition = "merits",
    filters: Filters | None = None,
) -> dict[str, Any]:
    """A nationality's rate vs all nationalities, by fiscal year, with its top courts/judges."""
    return _group_profile(engine, "nationality", nationality, definition, filters)


def language_profile(
    engine: Engine,
    language: str,
    definition: str | Definition = "merits",
    filters: Filters | None = None,
) -> dict[str, Any]:
    """A language's rate vs all languages, by fiscal year, with its top courts, judges and
    nationalities."""
    return _group_profile(engine, "language", language, definition, filters)


def _group_profile(
    engine: Engine,
    kind: str,
    text: str,
    definition: str | Definition,
    filters: Filters | None,
) -> dict[str, Any]:
    s = _subject(engine, kind, text, definition, filters)
    out = _against_nation(engine, s)
    out.update(
        top_courts=_top(s.rates(engine, "court")),
        top_judges=_top(s.rates(engine, "judge")),
    )
    if kind == "language":
        out["top_nationalities"] = _top(s.rates(engine, "nationality"))
    out.update(_represented_share(engine, s))
    return out


#: Profile kind → its function (the CLI, the pages, the API and the Python API read this).
PROFILES = {
    "judge": judge_profile,
    "court": court_profile,
    "nationality": nationality_profile,
    "language": language_profile,
}
