"""``asylumstats report``: the six questions readers ask, answered from the database in one
Markdown or HTML file, each answer with its definition, counts, 95% interval and release.

1. What share of asylum seekers win now, compared with 2010–2024? (``change``)
2. How does my judge decide, compared with the court and the nation, and for people from my
   country? (judge profile; the judge's rate for the nationality)
3. How rare is a grant for people of my nationality at my court? (``rate``)
4. If the judge grants asylum, how often does DHS appeal, and what does the Board do?
   (``appeals``)
5. How many people are waiting, at my court, and for how long? (``backlog``, ``wait``)
6. How do people who speak my language fare, and does a lawyer help? (``rate`` by
   ``represented``)

Every number comes from the metric library, as the commands and pages show it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from asylumstats.errors import UserError
from asylumstats.metrics.appeals import appeals_result
from asylumstats.metrics.backlog import backlog_result
from asylumstats.metrics.change import change_result
from asylumstats.metrics.definitions import Definition, get_definition
from asylumstats.metrics.filters import Filters, Period
from asylumstats.metrics.profiles import judge_profile, resolve
from asylumstats.metrics.query import is_synthetic, release_info
from asylumstats.metrics.rates import rate_result
from asylumstats.metrics.wait import wait_result
from asylumstats.model.appeals import BIA_OUTCOMES

if TYPE_CHECKING:
    from asylumstats.engines.base import Engine

#: The baseline of question 1 (the years most readers compare with).
BASELINE = "2010-01-01..2024-12-31"
FORMATS = ("md", "html")


def default_current(release_date: object) -> str:
    """The current period of question 1: since 1 January of the year before the release's
    (today's, when the release has no date)."""
    text = str(release_date or "")
    year = int(text[:4]) if text[:4].isdigit() else dt.date.today().year
    return f"{year - 1}-01-01.."


def plural(n: int, word: str) -> str:
    """``1 grant``, ``2 grants`` (thousands separated)."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


@dataclass
class Subject:
    """Who the report is about (each may be absent; a question that needs one says so)."""

    judge: str | None = None
    court: str | None = None
    nationality: str | None = None
    language: str | None = None
    definition: str = "merits"


@dataclass
class Answer:
    question: str
    lines: list[str] = field(default_factory=list)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"{low * 100:.1f}–{high * 100:.1f}%"


def rate_words(row: dict[str, Any] | None, who: str) -> str:
    """``who``: 23.7% (95% interval 20.6–27.0%), 168 grants of 710 decisions."""
    if not row or not row.get("decisions"):
        return f"{who}: no decisions."
    small = " — fewer than 25 decisions, read with care" if row.get("small_sample") else ""
    return (
        f"{who}: **{pct(row['grant_rate'])}** (95% interval "
        f"{interval(row['ci_low'], row['ci_high'])}), {plural(row['grants'], 'grant')} of "
        f"{plural(row['decisions'], 'decision')}{small}."
    )


def _one(engine: Engine, filters: Filters, d: Definition) -> dict[str, Any] | None:
    rows = rate_result(engine, None, filters, d).rows
    return rows[0] if rows else None


def q_now(engine: Engine, s: Subject, d: Definition, current: str) -> Answer:
    a = Answer("1. What share of asylum seekers win now, compared with 2010–2024?")
    rows = change_result(engine, Period.parse(BASELINE), Period.parse(current), None,
                         Filters(), d).rows  # fmt: skip
    if not rows:
        a.lines.append("No decisions in either period.")
        return a
    r = rows[0]
    a.lines += [
        f"- Now ({current}): **{pct(r['current_rate'])}**, {r['current_grants']:,} grants of "
        f"{r['current_decisions']:,} decisions.",
        f"- Baseline ({BASELINE}): **{pct(r['base_rate'])}**, {r['base_grants']:,} grants of "
        f"{r['base_decisions']:,} decisions.",
    ]
    if r["difference"] is not None:
        low, high = r["diff_ci_low"], r["diff_ci_high"]
        a.lines.append(
            f"- Difference: {r['difference'] * 100:+.1f} percentage points (95% interval "
            f"{low * 100:+.1f} to {high * 100:+.1f})"
            + ("; the interval includes zero." if low <= 0 <= high else ".")
        )
    a.lines.append("- Recent decisions lean toward fast outcomes; cases still pending are not in.")
    return a


def q_judge(engine: Engine, s: Subject, d: Definition) -> Answer:
    a = Answer("2. How does my judge decide, compared with the court and the nation?")
    if not s.judge:
        a.lines.append("Give `--judge CODE` for this answer.")
        return a
    p = judge_profile(engine, s.judge, d, Filters())
    court = p.get("court") or {}
    a.lines += [
        "- " + rate_words(p["rate"], f"Judge {p['judge_name'] or p['judge_code']} "
                          f"({p['judge_code']})"),
        "- " + rate_words(court or None, f"Other judges of {court.get('court_name') or '?'} "
                          f"({court.get('court_code') or '?'}), same years"),
        "- " + rate_words(p["nation"], "The nation, same years"),
    ]  # fmt: skip
    if s.nationality:
        f = Filters.parse(judge=p["judge_code"], nationality=s.nationality)
        a.lines.append(
            "- " + rate_words(_one(engine, f, d), f"This judge, nationality {s.nationality}")
        )
    return a


def q_nationality_court(engine: Engine, s: Subject, d: Definition) -> Answer:
    a = Answer("3. How rare is a grant for people of my nationality at my court?")
    if not s.nationality:
        a.lines.append("Give `--nationality CODE` for this answer.")
        return a
    if s.court:
        f = Filters.parse(court=s.court, nationality=s.nationality)
        a.lines.append(
            "- " + rate_words(_one(engine, f, d), f"Nationality {s.nationality} at court {s.court}")
        )
    if s.court:
        a.lines.append(
            "- "
            + rate_words(
                _one(engine, Filters.parse(court=s.court), d), f"Everyone at court {s.court}"
            )
        )
    f = Filters.parse(nationality=s.nationality)
    a.lines.append(
        "- " + rate_words(_one(engine, f, d), f"Nationality {s.nationality}, all courts")
    )
    return a


def q_appeals(engine: Engine, s: Subject, d: Definition) -> Answer:
    a = Answer("4. If the judge grants asylum, how often does the government (DHS) appeal, "
               "and what does the Board of Immigration Appeals decide?")  # fmt: skip
    subjects = ([("this judge", Filters.parse(judge=s.judge))] if s.judge else []) + [
        ("the nation", Filters())
    ]
    for who, f in subjects:
        rows = appeals_result(engine, None, f, d).rows
        if not rows:
            a.lines.append(f"- {who.capitalize()}: no grants or denials.")
            continue
        r = rows[0]
        appealed = r["grants_appealed_by_dhs"]
        a.lines.append(
            f"- {who.capitalize()}: DHS appealed {appealed:,} of {r['grants']:,} grants "
            f"(**{pct(r['dhs_appeal_share'])}**, 95% interval "
            f"{interval(r['dhs_appeal_ci_low'], r['dhs_appeal_ci_high'])})."
        )
        if appealed:
            parts = ", ".join(
                f"{o} {r[f'dhs_appeals_{o}']:,} ({r[f'dhs_appeals_{o}'] / appealed * 100:.0f}%)"
                for o in BIA_OUTCOMES
            )
            a.lines.append(f"  The Board on those appeals: {parts}.")
    return a


def q_waiting(engine: Engine, s: Subject, d: Definition) -> Answer:
    a = Answer("5. How many people are waiting, at which courts, and for how long?")
    places = ([(f"court {s.court}", Filters.parse(court=s.court))] if s.court else []) + [
        ("the nation", Filters())
    ]
    for where, f in places:
        try:
            b = backlog_result(engine, None, f).rows
        except UserError as exc:
            a.lines.append(f"- Backlog, {where}: {exc}")
            b = []
        if b:
            r = b[0]
            a.lines.append(
                f"- Pending at {r['at']}, {where}: **{r['pending']:,}** cases "
                f"(median age {r['median_age_days']:,} days; "
                f"{r['administratively_closed']:,} administratively closed)."
            )
        w = wait_result(engine, None, f, d).rows
        if w and w[0]["from_osc_median_days"] is not None:
            r = w[0]
            a.lines.append(
                f"- Time to an asylum decision, {where}: median **{r['from_osc_median_days']:,} "
                f"days** from the charging document (middle half {r['from_osc_p25_days']:,}–"
                f"{r['from_osc_p75_days']:,}), over {r['decisions']:,} decisions."
            )
    return a


def q_language(engine: Engine, s: Subject, d: Definition) -> Answer:
    a = Answer("6. How do people who speak my language fare, and does a lawyer help?")
    f = Filters.parse(language=s.language) if s.language else Filters()
    who = f"Language {s.language}" if s.language else "Everyone"
    a.lines.append("- " + rate_words(_one(engine, f, d), who))
    for r in rate_result(engine, "represented", f, d).rows:
        label = {True: "with a lawyer", False: "without a lawyer"}.get(r["represented"], "unknown")
        a.lines.append("- " + rate_words(r, f"{who}, {label}"))
    a.lines.append("- A difference by lawyer is not only the lawyer's effect: who finds a "
                   "lawyer differs too.")  # fmt: skip
    return a


def build(engine: Engine, s: Subject, current: str | None = None) -> str:
    """The report as Markdown."""
    d = get_definition(s.definition)
    info = release_info(engine)
    release = info.get("release_date") or info.get("release") or "unknown"
    current = current or default_current(info.get("release_date"))
    if s.judge:  # a name or a code → the code (the profile, appeals and rates all take it)
        s = replace(s, judge=resolve(engine, "judge", s.judge)[0])
    answers = [
        q_now(engine, s, d, current),
        q_judge(engine, s, d),
        q_nationality_court(engine, s, d),
        q_appeals(engine, s, d),
        q_waiting(engine, s, d),
        q_language(engine, s, d),
    ]
    synthetic = is_synthetic(info)
    head = [
        "# Asylum outcomes in US immigration courts: six questions",
        "",
        *(["**SYNTHETIC SAMPLE DATA — not real court outcomes.**", ""] if synthetic else []),
        f"Release: {release}{' (synthetic)' if synthetic else ''}. Definition: **{d.name}** = "
        f"{d.formula}. Every rate has its 95% Wilson interval; fewer than 25 decisions are "
        "flagged.",
    ]
    body = [line for ans in answers for line in ("", f"## {ans.question}", "", *ans.lines)]
    return "\n".join(head + body) + "\n"


def to_html(md: str) -> str:
    """The Markdown report as one self-contained HTML page."""
    import markdown  # only the HTML format needs it

    body = markdown.markdown(md, extensions=["sane_lists"])
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>asylumstats report</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:1rem auto;"
        "padding:0 1rem;line-height:1.5}</style></head>\n<body><main>\n"
        f"{body}\n</main></body>\n</html>\n"
    )
