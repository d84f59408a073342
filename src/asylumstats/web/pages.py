"""The HTML pages and their ``.json`` / ``.csv`` twins.

Pages: national overview, judge, court, nationality, compare, the rates table (the counts
behind every number), search and methodology. Each data page answers in HTML, JSON
(``/judges/ABC.json`` or ``?format=json``) or CSV (``/judges/ABC.csv`` or ``?format=csv``);
the JSON of a profile page is the profile of ``/api/…``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics import (
    DIMENSIONS,
    Filters,
    court_profile,
    get_definition,
    judge_profile,
    nationality_profile,
    parse_dimensions,
)
from asylumstats.metrics.filters import normalise_code
from asylumstats.metrics.rates import combine
from asylumstats.web import charts
from asylumstats.web.data import Store
from asylumstats.web.export import sections, to_csv
from asylumstats.web.render import (
    SWITCH_DEFINITIONS,
    View,
    methodology_html,
    path_code,
    render,
)
from asylumstats.web.responses import CliJSONResponse

log = logging.getLogger("asylumstats.web")

router = APIRouter()

PROFILES: dict[str, Callable[..., dict[str, Any]]] = {
    "judge": judge_profile,
    "court": court_profile,
    "nationality": nationality_profile,
}
#: Optional metrics shown on each profile page (when the metric exists).
PROFILE_EXTRAS: dict[str, tuple[str, ...]] = {
    "judge": ("appeals", "wait"),
    "court": ("backlog", "wait", "appeals"),
    "nationality": ("appeals", "wait"),
}
#: Entity dimensions that have a page.
PAGE_OF: dict[str, str] = {"judge": "judges", "court": "courts", "nationality": "nationalities"}
#: Most judges a compare view takes.
MAX_COMPARE = 4
FORMATS = ("html", "json", "csv")
#: Most rows an HTML rates table shows (the JSON and CSV twins have them all).
HTML_ROWS = 2000


def store_of(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def view_for(request: Request, strict: bool = True, **extra: Any) -> View:
    """The view state from the query string (definition, fy, from, to)."""
    q = request.query_params
    path = request.url.path
    for suffix in (".json", ".csv"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    try:
        d = get_definition(q.get("definition") or "merits").name
        f = Filters.parse(q.get("fy"), q.get("from"), q.get("to"))
    except UserError:
        if strict:
            raise
        d, f = "merits", Filters()
    return View(path=path or "/", definition=d, filters=f, extra=extra)


def split_format(request: Request, code: str | None = None) -> tuple[str | None, str]:
    """``(code, format)`` from a ``code.json``/``code.csv`` path segment or ``?format=``."""
    fmt = (request.query_params.get("format") or "html").lower()
    path = request.url.path
    for ext in ("json", "csv"):
        if path.endswith("." + ext):
            fmt = ext
            if code is not None and code.endswith("." + ext):
                code = code[: -len(ext) - 1]
    if fmt not in FORMATS:
        raise UserError(f"Unknown format '{fmt}'; use html, json or csv.")
    return code, fmt


def fiscal_years(store: Store) -> list[int]:
    """Fiscal years with decisions in the release (for the date-window control)."""
    rows = store.rates("fiscal_year", Filters(), "eoir").rows
    return sorted((r["fiscal_year"] for r in rows if r["fiscal_year"] is not None), reverse=True)


def respond(
    request: Request,
    view: View,
    fmt: str,
    template: str,
    data: Any,
    csv_rows: list[dict[str, Any]],
    filename: str,
    csv_fields: list[str] | None = None,
    **context: Any,
) -> Response:
    """The page in the requested format."""
    if fmt == "json":
        return CliJSONResponse(data)
    if fmt == "csv":
        return Response(
            to_csv(csv_rows, csv_fields),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    store = store_of(request)
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


def _safe_name(*parts: Any) -> str:
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)


# -- overview ---------------------------------------------------------------------------------


def overview_data(store: Store, view: View) -> dict[str, Any]:
    d, f = view.definition, view.filters
    by_fy = store.rates("fiscal_year", f, d)
    by_month = store.rates("month", f, d)
    by_def: dict[int, dict[str, Any]] = {}
    for name in SWITCH_DEFINITIONS:
        for r in store.rates("fiscal_year", f, name).rows:
            by_def.setdefault(r["fiscal_year"], {"fiscal_year": r["fiscal_year"]})[name] = r
    return {
        "page": "overview",
        "definition": d,
        "formula": get_definition(d).formula,
        "filters": f.as_dict(),
        "window": {
            "first_decision": by_fy.first_decision.isoformat() if by_fy.first_decision else None,
            "last_decision": by_fy.last_decision.isoformat() if by_fy.last_decision else None,
        },
        "release": store.release,
        "total": combine(by_fy.rows, d),
        "by_fiscal_year": by_fy.rows,
        "by_month": by_month.rows,
        "by_definition": [by_def[y] for y in sorted(by_def, key=lambda y: (y is None, y or 0))],
    }


@router.get("/", include_in_schema=False)
@router.get("/overview.json", include_in_schema=False)
@router.get("/overview.csv", include_in_schema=False)
def overview(request: Request) -> Response:
    _, fmt = split_format(request)
    store = store_of(request)
    view = view_for(request)
    view.path = "/"
    data = overview_data(store, view)
    charts_ = {
        "fy": charts.trend_chart(
            data["by_fiscal_year"],
            "fiscal_year",
            f"National grant rate by fiscal year ({view.definition})",
        ),
        "month": charts.trend_chart(
            data["by_month"], "month", f"National grant rate by month ({view.definition})"
        ),
    }
    return respond(
        request,
        view,
        fmt,
        "overview.html",
        data,
        sections(data),
        _safe_name("asylumstats-overview", view.definition),
        charts=charts_,
    )


# -- profiles ---------------------------------------------------------------------------------


def _extras_for(store: Store, kind: str, code: str, view: View) -> dict[str, Any]:
    """Appeals / wait / backlog rows by fiscal year for this entity (when the metric exists)."""
    out: dict[str, Any] = {}
    for name in PROFILE_EXTRAS[kind]:
        if name not in store.extras:
            continue
        f = replace(view.filters, **{kind: code})
        try:
            out[name] = store.extra(name, "fiscal_year", f, view.definition).rows
        except UserError as exc:  # e.g. no fiscal year ends in the window (backlog)
            out[name] = {"error": str(exc)}
        except Exception:  # one optional metric must not take the page down
            log.exception("%s metric failed for %s %s", name, kind, code)
            out[name] = {"error": f"The {name} figures could not be computed."}
    return out


def profile_data(store: Store, kind: str, code: str, request: Request) -> dict[str, Any]:
    """A profile exactly as the metric library returns it (the CLI shows the same)."""
    view = view_for(request)
    return store.profile(kind, PROFILES[kind], code, view.definition, view.filters)  # type: ignore[no-any-return]


def more_data(store: Store, kind: str, code: str, request: Request) -> dict[str, Any]:
    """Appeals, time to decision and backlog of one judge, court or nationality."""
    view = view_for(request)
    real = normalise_code(code) or ""
    names = store.names(kind)
    if real not in names:
        raise NotFoundError(f"No {kind} in this release has the code '{code}'.")
    return {
        "page": "more",
        "profile": kind,
        f"{kind}_code": real,
        f"{kind}_name": names[real],
        "definition": view.definition,
        "filters": view.filters.as_dict(),
        "available": [n for n in PROFILE_EXTRAS[kind] if n in store.extras],
        **_extras_for(store, kind, real, view),
    }


def _series_rows(profile: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for entry in profile["by_fiscal_year"]:
        for key, label in labels.items():
            values = entry.get(key)
            if values:
                rows.append({"fiscal_year": entry["fiscal_year"], "series": label, **values})
    return rows


def _profile_page(request: Request, kind: str, code: str) -> Response:
    code_, fmt = split_format(request, code)
    store = store_of(request)
    view = view_for(request)
    data = profile_data(store, kind, code_ or "", request)
    real = data[f"{kind}_code"]
    view.path = f"/{PAGE_OF[kind]}/{path_code(real)}"
    name = data.get(f"{kind}_name") or real
    d = view.definition
    chart_specs: dict[str, Any] = {}
    if kind == "judge":
        court_label = f"Court: {data['court']['court_name']}" if data.get("court") else "Court"
        labels = {"rate": f"Judge: {name}", "court": court_label, "nation": "Nation"}
        chart_specs["fy"] = charts.trend_chart(
            _series_rows(data, labels),
            "fiscal_year",
            f"{name}: grant rate by fiscal year vs court and nation ({d})",
            series="series",
        )
        chart_specs["nat"] = charts.ranked_chart(
            data["top_nationalities"],
            "nationality_name",
            f"{name}: grant rate by nationality ({d})",
            reference=data["rate"]["grant_rate"],
        )
    elif kind == "court":
        labels = {"rate": f"Court: {name}", "nation": "Nation"}
        chart_specs["fy"] = charts.trend_chart(
            _series_rows(data, labels),
            "fiscal_year",
            f"{name}: grant rate by fiscal year vs nation ({d})",
            series="series",
        )
        chart_specs["judges"] = charts.ranked_chart(
            data["judges"],
            "judge_name",
            f"Judges of {name}, ranked ({d})",
            reference=data["rate"]["grant_rate"],
        )
    else:
        labels = {"rate": name, "nation": "All nationalities"}
        chart_specs["fy"] = charts.trend_chart(
            _series_rows(data, labels),
            "fiscal_year",
            f"{name}: grant rate by fiscal year vs all nationalities ({d})",
            series="series",
        )
        chart_specs["courts"] = charts.ranked_chart(
            data["top_courts"],
            "court_name",
            f"{name}: grant rate by court ({d})",
            reference=data["rate"]["grant_rate"],
        )
    ranked = sorted(
        data.get("judges", []),
        key=lambda r: (r["grant_rate"] is None, -(r["grant_rate"] or 0), -r["decisions"]),
    )
    has_more = any(n in store.extras for n in PROFILE_EXTRAS[kind])
    return respond(
        request,
        view,
        fmt,
        f"{kind}.html",
        data,
        sections(data),
        _safe_name("asylumstats", kind, real, d),
        charts=chart_specs,
        kind=kind,
        code=real,
        name=name,
        ranked_judges=ranked,
        has_more=has_more,
    )


def _more_page(request: Request, kind: str, code: str) -> Response:
    """Appeals / wait / backlog: slower metrics, on their own page (and fetched lazily)."""
    _, fmt = split_format(request)
    store = store_of(request)
    data = more_data(store, kind, code, request)
    real = data[f"{kind}_code"]
    name = data[f"{kind}_name"] or real
    view = view_for(request)
    view.path = f"/{PAGE_OF[kind]}/{path_code(real)}/more"
    context = {"kind": kind, "code": real, "name": name}
    if fmt == "html" and request.query_params.get("fragment") == "1":
        return HTMLResponse(render("extras.html", view=view, data=data, **context))
    rows = [
        {"section": metric, **row}
        for metric in data["available"]
        if isinstance(data.get(metric), list)
        for row in data[metric]
    ]
    return respond(
        request,
        view,
        fmt,
        "more.html",
        data,
        rows,
        _safe_name("asylumstats", kind, real, "more", view.definition),
        **context,
    )


@router.get("/judges/{code}", include_in_schema=False)
def judge_page(request: Request, code: str) -> Response:
    return _profile_page(request, "judge", code)


def _more_endpoint(kind: str) -> Callable[[Request, str], Response]:
    def endpoint(request: Request, code: str) -> Response:
        return _more_page(request, kind, code)

    endpoint.__name__ = f"{kind}_more_page"
    return endpoint


def _register_more() -> None:
    for kind, plural in PAGE_OF.items():
        endpoint = _more_endpoint(kind)
        for suffix in ("", ".json", ".csv"):
            router.add_api_route(
                f"/{plural}/{{code}}/more{suffix}",
                endpoint,
                methods=["GET"],
                include_in_schema=False,
            )


_register_more()


@router.get("/courts/{code}", include_in_schema=False)
def court_page(request: Request, code: str) -> Response:
    return _profile_page(request, "court", code)


@router.get("/nationalities/{code}", include_in_schema=False)
def nationality_page(request: Request, code: str) -> Response:
    return _profile_page(request, "nationality", code)


# -- compare ----------------------------------------------------------------------------------


def compare_judges(request: Request) -> list[str]:
    codes: list[str] = []
    for raw in request.query_params.getlist("judge"):
        for part in raw.split(","):
            code = normalise_code(part)
            if code and code not in codes:
                codes.append(code)
    if len(codes) > MAX_COMPARE:
        raise UserError(f"Compare at most {MAX_COMPARE} judges at a time.")
    return codes


def compare_data(store: Store, request: Request) -> dict[str, Any]:
    """Two to four judges side by side, or one judge against its court and the nation."""
    view = view_for(request)
    codes = compare_judges(request)
    if not codes:
        raise UserError("Give one to four judge codes, e.g. ?judge=ABC&judge=DEF.")
    profiles = [
        store.profile("judge", judge_profile, c, view.definition, view.filters) for c in codes
    ]
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
            }
        )
        series += [
            {**r, "judge_code": p["judge_code"]}
            for r in _series_rows(p, {"rate": p["judge_name"] or p["judge_code"]})
        ]
    if len(profiles) == 1:
        p = profiles[0]
        court = p.get("court") or {}
        series += [
            {**r, "court_code": court.get("court_code")}
            for r in _series_rows(p, {"court": f"Court: {court.get('court_name') or '?'}"})
        ]
        series += _series_rows(p, {"nation": "Nation"})
    return {
        "page": "compare",
        "definition": view.definition,
        "filters": view.filters.as_dict(),
        "release": store.release,
        "judges": judges,
        "by_fiscal_year": series,
    }


@router.get("/compare", include_in_schema=False)
@router.get("/compare.json", include_in_schema=False)
@router.get("/compare.csv", include_in_schema=False)
def compare_page(request: Request) -> Response:
    _, fmt = split_format(request)
    store = store_of(request)
    codes = compare_judges(request)
    view = view_for(request, judge=codes)
    if not codes and fmt == "html":
        return respond(
            request, view, fmt, "compare.html", None, [], "compare", codes=codes, charts={}
        )
    data = compare_data(store, request)
    spec = charts.trend_chart(
        data["by_fiscal_year"],
        "fiscal_year",
        f"Grant rate by fiscal year ({view.definition})",
        series="series",
    )
    rows = [{"section": "judges", **j} for j in data["judges"]] + [
        {"section": "by_fiscal_year", **r} for r in data["by_fiscal_year"]
    ]
    return respond(
        request,
        view,
        fmt,
        "compare.html",
        data,
        rows,
        _safe_name("asylumstats-compare", *codes, view.definition),
        codes=codes,
        charts={"fy": spec},
    )


# -- rates table (the counts behind every number) -----------------------------------------------


@router.get("/rates", include_in_schema=False)
@router.get("/rates.json", include_in_schema=False)
@router.get("/rates.csv", include_in_schema=False)
def rates_page(request: Request) -> Response:
    _, fmt = split_format(request)
    store = store_of(request)
    q = request.query_params
    by_raw = ",".join(q.getlist("by"))
    dims = parse_dimensions(by_raw)
    by = ",".join(d.name for d in dims)
    codes = {k: normalise_code(q.get(k)) for k in ("judge", "court", "nationality")}
    view = view_for(request, by=by or None, **codes)
    f = Filters.parse(q.get("fy"), q.get("from"), q.get("to"), **codes)
    result = store.rates(by, f, view.definition)
    spec = None
    if len(dims) == 1 and dims[0].name in ("fiscal_year", "month"):
        spec = charts.trend_chart(
            result.rows, dims[0].name, f"Grant rate by {dims[0].label.lower()} ({view.definition})"
        )
    elif len(dims) == 1 and dims[0].name_column and len(result.rows) <= 80:
        spec = charts.ranked_chart(
            result.rows,
            dims[0].name_column,
            f"Grant rate by {dims[0].label.lower()} ({view.definition})",
        )
    return respond(
        request,
        view,
        fmt,
        "rates.html",
        result.rows,
        result.rows,
        _safe_name("asylumstats-rates", by or "total", view.definition),
        shown=result.rows[:HTML_ROWS],
        csv_fields=result.fields,
        result=result,
        dims=dims,
        fields=result.fields,
        dimensions=DIMENSIONS,
        codes=codes,
        charts={"rates": spec} if spec else {},
        page_of=PAGE_OF,
    )


# -- search and methodology ---------------------------------------------------------------------


@router.get("/search", include_in_schema=False)
def search_page(request: Request) -> Response:
    store = store_of(request)
    q = (request.query_params.get("q") or "").strip()[:100]
    view = view_for(request, q=q or None)
    results = store.search(q) if q else []
    return respond(request, view, "html", "search.html", results, [], "search", q=q)


@router.get("/methodology", include_in_schema=False)
def methodology_page(request: Request) -> Response:
    view = view_for(request)
    return respond(
        request, view, "html", "methodology.html", None, [], "methodology", body=methodology_html()
    )
