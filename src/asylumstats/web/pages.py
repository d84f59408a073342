"""The views: each page answers in HTML, as its ``.json``/``.csv`` twin and as its ``/api/*``
alias, from one view function, so the three can never disagree.

A view is a :class:`Page`: the parameters it accepts (anything else is a 422), a function that
computes its numbers (the JSON of the page and of the API), how its numbers become CSV rows,
and how they are drawn as HTML. :func:`register` adds, for every page, the HTML route, the
twins (``/judges/ABC.json``, ``?format=json``) and the API route, described in OpenAPI with
exactly the parameters it accepts and its 404 and 422 answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import MutableHeaders

from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics import DIMENSIONS, PROFILES, Filters, get_definition
from asylumstats.metrics.change import change_result
from asylumstats.metrics.dimensions import court_label, display_rows
from asylumstats.metrics.filters import FILTER_PARAMS, normalise_code
from asylumstats.metrics.next_hearing import SCHEDULE_TABLE
from asylumstats.metrics.rates import combine
from asylumstats.report import BASELINE, default_current
from asylumstats.web import charts
from asylumstats.web.data import Store, Stores
from asylumstats.web.export import sections, to_csv
from asylumstats.web.i18n import language_of
from asylumstats.web.params import (
    RATE_VIEW,
    Query,
    accepts,
    openapi_parameters,
    openapi_responses,
    parse_query,
)
from asylumstats.web.render import (
    SWITCH_DEFINITIONS,
    View,
    methodology_html,
    path_code,
    render,
)
from asylumstats.web.responses import CliJSONResponse, gzipped

log = logging.getLogger("asylumstats.web")

#: Optional metrics shown on each profile's "more" page (when the metric exists).
PROFILE_EXTRAS: dict[str, tuple[str, ...]] = {
    "judge": ("appeals", "wait"),
    "court": ("backlog", "wait", "appeals"),
    "nationality": ("appeals", "wait"),
    "language": ("appeals", "wait"),
}
#: Entity dimensions that have a page: dimension → path segment.
PAGE_OF: dict[str, str] = {
    "judge": "judges",
    "court": "courts",
    "nationality": "nationalities",
    "language": "languages",
}
#: Most judges a compare view takes.
MAX_COMPARE = 4
FORMATS = ("html", "json", "csv", *charts.IMAGE_TYPES)
#: Most rows an HTML rates table shows (the JSON and CSV twins have them all).
HTML_ROWS = 2000

Data = Any
CsvRows = tuple[list[dict[str, Any]], list[str] | None]
Charts = Callable[[Data, Query], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    """One view: its paths, the parameters it accepts and how its numbers are made and shown."""

    name: str
    path: str  # the HTML page, e.g. "/judges/{code}"
    api: str | None  # its API alias, e.g. "/api/judges/{code}"
    accepted: tuple[str, ...]
    data: Callable[[Store, Query, str | None], Data]
    html: Callable[[Request, View, Query, Data, str | None], Response] | None
    csv: Callable[[Data], CsvRows]
    summary: str
    twins: bool = True
    json: Callable[[Data], Any] = lambda data: data  # noqa: E731 - the JSON of the numbers
    charts: Charts | None = None  # the page's chart specs by id (also saved as PNG/SVG)

    @property
    def has_code(self) -> bool:
        return "{code}" in self.path


def store_of(request: Request) -> Store:
    """The Store of the release the request asks for (``?release=``; default: the server's)."""
    stores: Stores = request.app.state.stores
    return stores.get(request.query_params.get("release"))


def query_values(request: Request) -> dict[str, list[str]]:
    """Every query parameter with all its values (a repeated parameter keeps them all)."""
    q = request.query_params
    return {k: q.getlist(k) for k in q.keys()}  # noqa: SIM118 - a multi-dict


def view_for(request: Request, strict: bool = True, **extra: Any) -> View:
    """The view state from the query string (definition and filters), for error pages too."""
    path = request.url.path
    for suffix in (".json", ".csv"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    try:
        values = query_values(request)
        query = parse_query(values, tuple(values))
        d, f, r = query.definition, query.filters, query.get("release")
    except UserError:
        if strict:
            raise
        d, f, r = "merits", Filters(), None
    lang = language_of(request.scope)
    return View(path=path or "/", definition=d, filters=f, extra=extra, lang=lang, release=r)


def split_format(request: Request, code: str | None = None) -> tuple[str | None, str]:
    """``(code, format)`` from a ``code.json``/``code.csv`` path segment or ``?format=``."""
    fmt = (request.query_params.get("format") or "html").lower()
    path = request.url.path
    for ext in ("json", "csv", *charts.IMAGE_TYPES):
        if path.endswith("." + ext):
            fmt = ext
            if code is not None and code.endswith("." + ext):
                code = code[: -len(ext) - 1]
    if fmt not in FORMATS:
        raise UserError(f"Unknown format '{fmt}'; use html, json, csv, png or svg.")
    return code, fmt


def fiscal_years(store: Store) -> list[int]:
    """Fiscal years with decisions in the release (for the date-window control)."""
    rows = store.rates("fiscal_year", Filters(), "eoir").rows
    return sorted((r["fiscal_year"] for r in rows if r["fiscal_year"] is not None), reverse=True)


def csv_response(rows: list[dict[str, Any]], fields: list[str] | None, filename: str) -> Response:
    """CSV with courts named "NEW YORK (NYC)", as a download."""
    return Response(
        to_csv(display_rows(rows), fields),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def html_page(request: Request, view: View, template: str, data: Any, **context: Any) -> Response:
    store = store_of(request)
    view.lang = language_of(request.scope)
    html = render(
        template,
        view=view,
        release=store.release,
        definition=get_definition(view.definition),
        fy_options=fiscal_years(store),
        data=data,
        **context,
    )
    return HTMLResponse(html)


def chart_image(
    page: Page, data: Any, query: Query, chart_id: str, fmt: str, code: str | None
) -> Response:
    """One of the page's charts as a PNG or SVG file (``/judges/ABC.png?chart=fy``)."""
    specs = {k: v for k, v in (page.charts(data, query) if page.charts else {}).items() if v}
    if not specs:
        raise NotFoundError(f"{page.path} has no chart.")
    chart_id = chart_id or next(iter(specs))
    if chart_id not in specs:
        raise NotFoundError(f"No chart '{chart_id}' here; charts: {', '.join(specs)}.")
    name = _safe_name("asylumstats", page.name, code, chart_id)
    return Response(
        charts.to_image(specs[chart_id], fmt),
        media_type=charts.IMAGE_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _safe_name(*parts: Any) -> str:
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


def serve(request: Request, page: Page, code: str | None, api: bool) -> Response:
    """Answer ``request`` for ``page``: HTML, a twin, or the API alias (JSON or CSV)."""
    code, fmt = split_format(request, code)
    values = query_values(request)
    chart_id = None
    if fmt in charts.IMAGE_TYPES and not api:
        chart_id = (values.pop("chart", None) or [""])[0]
    query = parse_query(values, page.accepted)
    if api:
        fmt = (query.get("format") or "json").lower()
        if fmt == "html":
            raise UserError("Unknown format 'html'; the API answers json or csv.")
    store = store_of(request)
    data = page.data(store, query, code)
    if fmt == "json":
        return CliJSONResponse(page.json(data))
    if fmt == "csv":
        rows, fields = page.csv(data)
        return csv_response(rows, fields, _safe_name("asylumstats", page.name, code))
    if fmt in charts.IMAGE_TYPES:
        return chart_image(page, data, query, chart_id or "", fmt, code)
    if page.html is None:
        raise UserError(f"{page.path} answers json or csv.")
    view = View(
        path=request.url.path,
        definition=query.definition,
        filters=query.filters,
        lang=language_of(request.scope),
        release=query.get("release"),
    )
    for suffix in (".json", ".csv"):
        if view.path.endswith(suffix):
            view.path = view.path[: -len(suffix)]
    return page.html(request, view, query, data, code)


# -- overview ---------------------------------------------------------------------------------


def quarter_of(month: str) -> str:
    """``"2024-05"`` → ``"2024-Q2"`` (calendar quarters)."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def by_quarter(month_rows: list[dict[str, Any]], definition: str) -> list[dict[str, Any]]:
    """Monthly rate rows summed into calendar quarters (rates and intervals recomputed)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in month_rows:
        if r.get("month"):
            groups.setdefault(quarter_of(str(r["month"])), []).append(r)
    return [combine(groups[q], definition, {"quarter": q}) for q in sorted(groups)]


def overview_data(store: Store, query: Query, _: str | None = None) -> dict[str, Any]:
    d, f = query.definition, query.filters
    base = query.get("base") or BASELINE
    current = query.get("current") or default_current(store.release.get("release_date"))
    by_fy = store.rates("fiscal_year", f, d)
    by_month = store.rates("month", f, d)
    by_def: dict[int, dict[str, Any]] = {}
    for name in SWITCH_DEFINITIONS:
        for r in store.rates("fiscal_year", f, name).rows:
            by_def.setdefault(r["fiscal_year"], {"fiscal_year": r["fiscal_year"]})[name] = r
    change = store.cached(
        ("change", base, current, "", f, d),
        lambda e: change_result(e, base, current, "", f, d),
    )
    return {
        "page": "overview",
        "definition": d,
        "formula": get_definition(d).formula,
        "filters": f.as_dict(),
        "window": by_fy.window,
        "excluded_implausible": by_fy.excluded_implausible,
        "release": store.release,
        "base": base,
        "current": current,
        "change": change.rows[0] if change.rows else None,
        "total": combine(by_fy.rows, d),
        "by_fiscal_year": by_fy.rows,
        "by_quarter": by_quarter(by_month.rows, d),
        "by_month": by_month.rows,
        "by_definition": [by_def[y] for y in sorted(by_def, key=lambda y: (y is None, y or 0))],
    }


def _overview_csv(data: Any) -> CsvRows:
    """The overview's sections, the change (now against the baseline) first."""
    rows = sections(data)
    if data.get("change"):
        change = {k: v for k, v in data["change"].items() if not isinstance(v, list)}
        rows.insert(0, {"section": "change", "base": data["base"], "current": data["current"],
                        **change})  # fmt: skip
    return rows, None


def overview_charts(data: dict[str, Any], d: str) -> dict[str, Any]:
    return {
        "quarter": charts.band_chart(
            data["by_quarter"], "quarter", f"National grant rate by quarter ({d})"
        ),
        "fy": charts.trend_chart(
            data["by_fiscal_year"], "fiscal_year", f"National grant rate by fiscal year ({d})"
        ),
    }


def overview_html(request: Request, view: View, query: Query, data: Any, _: str | None) -> Response:
    view.path = "/"
    view.extra = {"base": query.get("base"), "current": query.get("current")}
    return html_page(
        request, view, "overview.html", data, charts=overview_charts(data, view.definition)
    )


def _sections(data: Any) -> CsvRows:
    return sections(data), None


# -- profiles ---------------------------------------------------------------------------------


def profile_data(store: Store, kind: str, code: str, query: Query) -> dict[str, Any]:
    """A profile exactly as the metric library returns it (the CLI shows the same)."""
    return store.profile(kind, PROFILES[kind], code, query.definition, query.filters)  # type: ignore[no-any-return]


def _series_rows(profile: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for entry in profile["by_fiscal_year"]:
        for key, label in labels.items():
            values = entry.get(key)
            if values:
                rows.append({"fiscal_year": entry["fiscal_year"], "series": label, **values})
    return rows


def _profile_charts(kind: str, data: dict[str, Any], name: str, d: str) -> dict[str, Any]:
    specs: dict[str, Any] = {}
    if kind == "judge":
        court = data.get("court")
        court_text = (
            f"Other judges of {court_label(court['court_code'], court['court_name'])}"
            if court
            else "Court"
        )
        labels = {"rate": f"Judge: {name}", "court": court_text, "nation": "Nation"}
        specs["fy"] = charts.trend_chart(
            _series_rows(data, labels),
            "fiscal_year",
            f"{name}: grant rate by fiscal year vs court and nation ({d})",
            series="series",
        )
        specs["nat"] = charts.ranked_chart(
            data["top_nationalities"],
            "nationality_name",
            f"{name}: grant rate by nationality ({d})",
            reference=data["rate"]["grant_rate"],
        )
    elif kind == "court":
        labels = {"rate": f"Court: {name}", "nation": "Nation"}
        specs["fy"] = charts.trend_chart(
            _series_rows(data, labels),
            "fiscal_year",
            f"{name}: grant rate by fiscal year vs nation ({d})",
            series="series",
        )
        specs["judges"] = charts.ranked_chart(
            data["judges"],
            "judge_name",
            f"Judges of {name}, ranked ({d})",
            reference=data["rate"]["grant_rate"],
        )
    else:
        everyone = "All nationalities" if kind == "nationality" else "All languages"
        labels = {"rate": name, "nation": everyone}
        specs["fy"] = charts.trend_chart(
            _series_rows(data, labels),
            "fiscal_year",
            f"{name}: grant rate by fiscal year vs {everyone.lower()} ({d})",
            series="series",
        )
        specs["courts"] = charts.ranked_chart(
            display_rows(data["top_courts"]),
            "court_name",
            f"{name}: grant rate by court ({d})",
            reference=data["rate"]["grant_rate"],
        )
    return specs


def _profile_name(kind: str, data: dict[str, Any]) -> str:
    real: str = data[f"{kind}_code"]
    if kind == "court":
        return court_label(real, data.get("court_name")) or real
    return data.get(f"{kind}_name") or real


def _profile_chart_specs(kind: str) -> Charts:
    def specs(data: Any, query: Query) -> dict[str, Any]:
        return _profile_charts(kind, data, _profile_name(kind, data), query.definition)

    return specs


def _profile_html(kind: str) -> Callable[..., Response]:
    def draw(request: Request, view: View, query: Query, data: Any, _: str | None) -> Response:
        store = store_of(request)
        real = data[f"{kind}_code"]
        view.path = f"/{PAGE_OF[kind]}/{path_code(real)}"
        name = _profile_name(kind, data)
        ranked = sorted(
            data.get("judges", []),
            key=lambda r: (r["grant_rate"] is None, -(r["grant_rate"] or 0), -r["decisions"]),
        )
        return html_page(
            request,
            view,
            f"{kind}.html",
            data,
            charts=_profile_charts(kind, data, name, view.definition),
            kind=kind,
            code=real,
            name=name,
            ranked_judges=ranked,
            has_more=any(n in store.extras for n in PROFILE_EXTRAS[kind]),
        )

    return draw


def _profile_page(kind: str) -> Page:
    plural = PAGE_OF[kind]

    def data(store: Store, query: Query, code: str | None) -> Any:
        return profile_data(store, kind, code or "", query)

    return Page(
        name=kind,
        path=f"/{plural}/{{code}}",
        api=f"/api/{plural}/{{code}}",
        accepted=accepts(RATE_VIEW, without=(kind,)),
        data=data,
        html=_profile_html(kind),
        csv=_sections,
        charts=_profile_chart_specs(kind),
        summary=f"{kind.capitalize()} profile: its rate against "
        + ("the other judges of its main court and " if kind == "judge" else "")
        + "the nation, over the same window, filters and fiscal years",
    )


def _extras_for(store: Store, kind: str, code: str, query: Query) -> dict[str, Any]:
    """Appeals / wait / backlog rows by fiscal year for this entity (when the metric exists)."""
    out: dict[str, Any] = {}
    for name in PROFILE_EXTRAS[kind]:
        if name not in store.extras:
            continue
        f = query.filters.narrowed(**{kind: code})
        try:
            out[name] = store.extra(name, "fiscal_year", f, query.definition).rows
        except UserError as exc:  # e.g. no fiscal year ends in the window (backlog)
            out[name] = {"error": str(exc)}
        except Exception:  # one optional metric must not take the page down
            log.exception("%s metric failed for %s %s", name, kind, code)
            out[name] = {"error": f"The {name} figures could not be computed."}
    return out


def more_data(store: Store, kind: str, code: str, query: Query) -> dict[str, Any]:
    """Appeals, time to decision and backlog of one judge, court, nationality or language."""
    real = normalise_code(code) or ""
    names = store.names(kind)
    if real not in names:
        raise NotFoundError(f"No {kind} in this release has the code '{code}'.")
    return {
        "page": "more",
        "profile": kind,
        f"{kind}_code": real,
        f"{kind}_name": names[real],
        "definition": query.definition,
        "filters": query.filters.as_dict(),
        "available": [n for n in PROFILE_EXTRAS[kind] if n in store.extras],
        **_extras_for(store, kind, real, query),
    }


def _more_page(kind: str) -> Page:
    def data(store: Store, query: Query, code: str | None) -> Any:
        return more_data(store, kind, code or "", query)

    def csv(data: Any) -> CsvRows:
        rows = [
            {"section": metric, **row}
            for metric in data["available"]
            if isinstance(data.get(metric), list)
            for row in data[metric]
        ]
        return rows, None

    def draw(request: Request, view: View, query: Query, data: Any, _: str | None) -> Response:
        real = data[f"{kind}_code"]
        name = data[f"{kind}_name"] or real
        view.path = f"/{PAGE_OF[kind]}/{path_code(real)}/more"
        context = {"kind": kind, "code": real, "name": name}
        if query.get("fragment") == "1":
            return HTMLResponse(render("extras.html", view=view, data=data, **context))
        return html_page(request, view, "more.html", data, **context)

    return Page(
        name=f"{kind}-more",
        path=f"/{PAGE_OF[kind]}/{{code}}/more",
        api=None,
        accepted=accepts(RATE_VIEW, ("fragment",), without=(kind,)),
        data=data,
        html=draw,
        csv=csv,
        summary=f"Appeals, time to decision and backlog of a {kind}",
    )


# -- compare ----------------------------------------------------------------------------------


def compare_judges(query: Query) -> list[str]:
    codes = list(query.filters.judge)
    if len(codes) > MAX_COMPARE:
        raise UserError(f"Compare at most {MAX_COMPARE} judges at a time.")
    return codes


def compare_data(store: Store, query: Query, _: str | None = None) -> dict[str, Any]:
    """Two to four judges side by side, or one judge against its court and the nation."""
    codes = compare_judges(query)
    if not codes:
        raise UserError("Give one to four judge codes, e.g. ?judge=ABC&judge=DEF.")
    f = query.filters.without("judge")
    profiles = [store.profile("judge", PROFILES["judge"], c, query.definition, f) for c in codes]
    judges = []
    series: list[dict[str, Any]] = []
    for p in profiles:
        court = p.get("court") or {}
        judges.append(
            {
                "judge_code": p["judge_code"],
                "judge_name": p["judge_name"],
                "court_code": court.get("court_code"),
                "court_name": court.get("court_name"),
                **p["rate"],
                "vs_court": p["vs_court"],
                "vs_nation": p["vs_nation"],
                "represented_share": p["represented_share"],
                "comparison": p["comparison"]["caption"],
            }
        )
        series += [
            {**r, "judge_code": p["judge_code"]}
            for r in _series_rows(p, {"rate": p["judge_name"] or p["judge_code"]})
        ]
    if len(profiles) == 1:
        p = profiles[0]
        court = p.get("court") or {}
        label = court_label(court.get("court_code"), court.get("court_name")) or "?"
        series += [
            {**r, "court_code": court.get("court_code")}
            for r in _series_rows(p, {"court": f"Court: other judges of {label}"})
        ]
        series += _series_rows(p, {"nation": "Nation"})
    return {
        "page": "compare",
        "definition": query.definition,
        "filters": f.as_dict(),
        "release": store.release,
        "judges": judges,
        "by_fiscal_year": series,
    }


def _compare_csv(data: Any) -> CsvRows:
    rows = [{"section": "judges", **j} for j in data["judges"]] + [
        {"section": "by_fiscal_year", **r} for r in data["by_fiscal_year"]
    ]
    return rows, None


def compare_page(request: Request) -> Response:
    """``/compare`` (HTML): the form alone when no judge is given."""
    query = parse_query(query_values(request), COMPARE.accepted)
    _, fmt = split_format(request)
    if fmt == "html" and not query.filters.judge:
        view = View(
            path="/compare",
            definition=query.definition,
            filters=query.filters,
            release=query.get("release"),
        )
        return html_page(request, view, "compare.html", None, codes=[], charts={})
    return serve(request, COMPARE, None, api=False)


def _compare_charts(data: Any, query: Query) -> dict[str, Any]:
    spec = charts.trend_chart(
        data["by_fiscal_year"],
        "fiscal_year",
        f"Grant rate by fiscal year ({query.definition})",
        series="series",
    )
    return {"fy": spec}


def _compare_html(request: Request, view: View, query: Query, data: Any, _: str | None) -> Response:
    codes = compare_judges(query)
    view.filters = query.filters.without("judge")
    view.extra = {"judge": codes}
    specs = _compare_charts(data, query)
    return html_page(request, view, "compare.html", data, codes=codes, charts=specs)


# -- rates table (the counts behind every number) ---------------------------------------------


def rates_data(store: Store, query: Query, _: str | None = None) -> Any:
    adjust = (query.get("adjust") or "false").strip().lower()
    if adjust not in ("true", "false", "yes", "no", "1", "0"):
        raise UserError(f"Bad adjust '{adjust}'; use true or false.")
    if adjust in ("true", "yes", "1"):
        if query.periods:
            raise UserError("period cannot be combined with adjust.")
        return store.adjusted_rates(query.by_key, query.filters, query.definition)
    return store.rates(query.by_key, query.filters, query.definition, query.periods)


def _rates_csv(result: Any) -> CsvRows:
    return result.rows, result.fields


def _rows(result: Any) -> Any:
    """The JSON of a rows result: its rows (as the CLI's ``--format json``)."""
    return result.rows


def _rates_charts(result: Any, query: Query) -> dict[str, Any]:
    if query.periods:
        return {}
    spec = charts.rates_chart(result.rows, list(query.by), query.definition)
    return {"rates": spec} if spec else {}


def _rates_html(request: Request, view: View, query: Query, result: Any, _: str | None) -> Response:
    dims = list(query.by)
    view.extra = {"by": query.by_key or None, "period": [p.label for p in query.periods]}
    return html_page(
        request,
        view,
        "rates.html",
        result.rows,
        shown=display_rows(result.rows[:HTML_ROWS]),
        result=result,
        dims=dims,
        fields=result.fields,
        dimensions=DIMENSIONS,
        charts=_rates_charts(result, query),
        page_of=PAGE_OF,
    )


def _rates_page() -> Page:
    def data(store: Store, query: Query, code: str | None) -> Any:
        return rates_data(store, query, code)

    return Page(
        name="rates",
        path="/rates",
        api="/api/rates",
        accepted=accepts(RATE_VIEW, ("by", "period", "adjust")),
        data=data,
        html=_rates_html,
        csv=_rates_csv,
        charts=_rates_charts,
        summary="Asylum grant rates (as `asylumstats rate`)",
        json=_rows,
    )


# -- change -----------------------------------------------------------------------------------


def change_data(store: Store, query: Query, _: str | None = None) -> Any:
    base, current = query.get("base"), query.get("current")
    if not base or not current:
        raise UserError("Give both periods, e.g. ?base=2010-01-01..2024-12-31&current=2025-01-01..")
    return store.cached(
        ("change", base, current, query.by_key, query.filters, query.definition),
        lambda e: change_result(e, base, current, query.by_key, query.filters, query.definition),
    )


def _change_chart(result: Any, definition: str) -> dict[str, Any]:
    return charts.change_chart(
        result.rows, result.by, definition, result.base.label, result.current.label
    )


def _change_html(
    request: Request, view: View, query: Query, result: Any, _: str | None
) -> Response:
    view.extra = {"base": query.get("base"), "current": query.get("current"), "by": query.by_key}
    return html_page(
        request,
        view,
        "change.html",
        result.rows,
        result=result,
        charts={"change": _change_chart(result, view.definition)},
        shown=display_rows(result.rows[:HTML_ROWS]),
        dims=list(query.by),
        dimensions=DIMENSIONS,
    )


def change_page(request: Request) -> Response:
    """``/change`` (HTML): the form alone until both periods are given."""
    query = parse_query(query_values(request), CHANGE.accepted)
    _, fmt = split_format(request)
    if fmt == "html" and not (query.get("base") and query.get("current")):
        view = View(
            path="/change",
            definition=query.definition,
            filters=query.filters,
            release=query.get("release"),
        )
        view.extra = {"by": query.by_key}
        return html_page(
            request, view, "change.html", None, result=None, shown=[], dims=list(query.by),
            dimensions=DIMENSIONS,
        )  # fmt: skip
    return serve(request, CHANGE, None, api=False)


# -- extra metrics: appeals, wait, backlog ----------------------------------------------------


def _extra_page(store: Store, name: str) -> Page:
    metric = store.extras[name]
    own = tuple(o for o in metric.options)
    accepted = accepts(RATE_VIEW, ("by",), own)
    if not metric.takes_definition:
        accepted = tuple(p for p in accepted if p != "definition")

    def data(store: Store, query: Query, _: str | None) -> Any:
        options = tuple((o, ",".join(query.values.get(o, ())) or None) for o in metric.options)
        return store.extra(name, query.by_key, query.filters, query.definition, options)

    def draw(request: Request, view: View, query: Query, result: Any, _: str | None) -> Response:
        view.extra = {"by": query.by_key or None, **{o: query.get(o) for o in own}}
        schedule = name == "backlog" and store_of(request).has_table(SCHEDULE_TABLE)
        return html_page(
            request, view, "metric.html", result.rows, name=name, result=result,
            shown=display_rows(result.rows[:HTML_ROWS]), dimensions=DIMENSIONS,
            dims=list(query.by), has_schedule=schedule,
        )  # fmt: skip

    return Page(
        name=name,
        path=f"/{name}",
        api=f"/api/{name}",
        accepted=accepted,
        data=data,
        html=draw,
        csv=_rates_csv,
        summary=f"{name.capitalize()} rows grouped by `by` (as `asylumstats {name}`)",
        json=_rows,
    )


# -- search and methodology -------------------------------------------------------------------


def search_data(store: Store, query: Query, _: str | None = None) -> Any:
    q = (query.get("q") or "").strip()
    if len(q) > 100:
        raise UserError("Search for at most 100 characters.")
    limit_text = query.get("limit") or "20"
    try:
        limit = int(limit_text)
    except ValueError:
        raise UserError(f"Bad limit '{limit_text}'; use a number from 1 to 50.") from None
    if not 1 <= limit <= 50:
        raise UserError(f"Bad limit '{limit_text}'; use a number from 1 to 50.")
    return store.search(q, limit)


def _search_html(request: Request, view: View, query: Query, data: Any, _: str | None) -> Response:
    q = (query.get("q") or "").strip()
    view.extra = {"q": q or None}
    return html_page(request, view, "search.html", data, q=q)


def methodology_page(request: Request) -> Response:
    query = parse_query(query_values(request), accepts(RATE_VIEW))
    view = View(
        path="/methodology",
        definition=query.definition,
        filters=query.filters,
        release=query.get("release"),
    )
    return html_page(request, view, "methodology.html", None, body=methodology_html())


# -- the registry -----------------------------------------------------------------------------

OVERVIEW = Page(
    name="overview",
    path="/",
    api="/api/overview",
    accepted=accepts(RATE_VIEW, ("base", "current")),
    data=overview_data,
    html=overview_html,
    csv=_overview_csv,
    charts=lambda data, query: overview_charts(data, query.definition),
    summary=(
        "National overview: the current period against a baseline; the rate by quarter, "
        "fiscal year and month under each definition"
    ),
)
RATES = _rates_page()
COMPARE = Page(
    name="compare",
    path="/compare",
    api="/api/compare",
    accepted=accepts(RATE_VIEW),
    data=compare_data,
    html=_compare_html,
    csv=_compare_csv,
    charts=_compare_charts,
    summary="Compare judges: one to four `judge` codes side by side",
)
CHANGE = Page(
    name="change",
    path="/change",
    api="/api/change",
    accepted=accepts(RATE_VIEW, ("base", "current", "by")),
    data=change_data,
    html=_change_html,
    csv=_rates_csv,
    charts=lambda result, query: {"change": _change_chart(result, query.definition)},
    summary="Change of the grant rate between a base and a current period (SPEC §2.3)",
    json=_rows,
)
SEARCH = Page(
    name="search",
    path="/search",
    api="/api/search",
    accepted=accepts(("q", "limit", "definition")),
    data=search_data,
    html=_search_html,
    csv=lambda data: (data, None),
    summary="Find a judge, court (also by hearing-location city), nationality or language",
    twins=False,
)

#: Every view with its paths; the app, the tests and the docs read this.
PAGES: tuple[Page, ...] = (
    OVERVIEW,
    RATES,
    *(_profile_page(kind) for kind in PAGE_OF),
    *(_more_page(kind) for kind in PAGE_OF),
    COMPARE,
    CHANGE,
    SEARCH,
)

#: Pages whose HTML route needs a special first step (a form without parameters).
_HTML_OVERRIDES: dict[str, Callable[[Request], Response]] = {
    "compare": compare_page,
    "change": change_page,
}


@dataclass(frozen=True)
class Answer:
    """A view's answer as the response cache keeps it: the body, and the body compressed as
    the GZip middleware would send it (None: sent as it is), so a kept answer is not
    compressed again on every request."""

    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    compressed: bytes | None

    @classmethod
    def of(cls, response: Response) -> Answer:
        body = bytes(response.body)
        headers = tuple(response.raw_headers)
        content_type = next((v.decode("latin-1") for k, v in headers if k == b"content-type"), "")
        return cls(response.status_code, body, headers, gzipped(body, content_type))

    @property
    def size(self) -> int:
        return len(self.body) + len(self.compressed or b"")

    def response(self, gzip: bool) -> Response:
        """The answer (compressed when the client takes gzip), headers as the middleware
        writes them: it passes an answer that has a Content-Encoding through unchanged."""
        if not gzip or self.compressed is None:
            response = Response(self.body, status_code=self.status)
            response.raw_headers = list(self.headers)
            return response
        response = Response(self.compressed, status_code=self.status)
        headers = MutableHeaders(raw=list(self.headers))
        headers.add_vary_header("Accept-Encoding")
        headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(self.compressed))
        response.raw_headers = headers.raw
        return response


def remembered(request: Request, answer: Callable[[], Response]) -> Response:
    """``answer()``, kept per (path, query string, language) by the Store of the release
    asked for: a view's answer depends on nothing else, and the release is read-only. An
    error is raised, never kept."""
    try:
        store = store_of(request)
    except (NotFoundError, UserError):
        return answer()  # the same error, raised where the view raises it
    key = ("response", request.url.path, request.url.query, language_of(request.scope))
    kept = store.response(key, lambda: Answer.of(answer()), lambda a: a.size)
    return kept.response(gzip="gzip" in request.headers.get("Accept-Encoding", ""))


def _handler(page: Page, api: bool) -> Callable[..., Response]:
    if page.has_code:

        def with_code(request: Request, code: str) -> Response:
            return remembered(request, lambda: serve(request, page, code, api))

        handler: Callable[..., Response] = with_code
    else:
        override = None if api else _HTML_OVERRIDES.get(page.name)

        def without_code(request: Request) -> Response:
            if override is not None:
                return remembered(request, lambda: override(request))
            return remembered(request, lambda: serve(request, page, None, api))

        handler = without_code
    handler.__name__ = f"{'api' if api else 'page'}_{page.name.replace('-', '_')}"
    handler.__doc__ = page.summary + "."
    return handler


def register(app: FastAPI, store: Store) -> None:
    """Add every page, its twins and its API alias to ``app``."""
    pages = [*PAGES, *(_extra_page(store, name) for name in store.extras)]
    for page in pages:
        html = _handler(page, api=False)
        base = "/overview" if page.path == "/" else page.path
        paths = [page.path] + ([f"{base}.json", f"{base}.csv"] if page.twins else [])
        if page.charts is not None:
            paths += [f"{base}.{fmt}" for fmt in charts.IMAGE_TYPES]
        for path in dict.fromkeys(paths):
            app.add_api_route(path, html, methods=["GET"], include_in_schema=False)
        if page.api:
            params = openapi_parameters(page.accepted)
            app.add_api_route(
                page.api,
                _handler(page, api=True),
                methods=["GET"],
                tags=["api"],
                summary=page.summary,
                responses=openapi_responses(page.has_code, page.accepted),
                openapi_extra={"parameters": params},
            )
    app.add_api_route("/methodology", methodology_page, methods=["GET"], include_in_schema=False)


__all__ = [
    "FILTER_PARAMS",
    "PAGES",
    "Page",
    "compare_data",
    "more_data",
    "overview_data",
    "profile_data",
    "register",
    "view_for",
]
