"""``/backlog/next-hearing``: how far ahead pending cases have a hearing booked, by court.

The numbers are ``metrics.next_hearing`` (``asylumstats backlog --next-hearing``) at the
release date; ``court`` (one code or a comma list) narrows the table. ``.json`` and ``.csv``
twins serve the same rows.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from asylumstats.errors import UserError
from asylumstats.metrics.filters import Filters
from asylumstats.metrics.next_hearing import next_hearing_result
from asylumstats.web.pages import csv_response, html_page, split_format, store_of, view_for
from asylumstats.web.responses import CliJSONResponse

router = APIRouter()

ACCEPTED = ("court", "format", "release")
FIELDS = ["court_code", "court_name", "next_hearing_year", "pending", "share"]


def pivot(rows: list[dict[str, Any]]) -> tuple[list[int | None], list[dict[str, Any]]]:
    """Courts as rows, years ahead as columns (``None`` = no hearing scheduled)."""
    years = sorted({r["next_hearing_year"] for r in rows}, key=lambda y: (y is None, y or 0))
    courts: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = courts.setdefault(
            r["court_code"],
            {"court_code": r["court_code"], "court_name": r["court_name"], "pending": 0, "by": {}},
        )
        c["pending"] += r["pending"]
        c["by"][r["next_hearing_year"]] = r["pending"]
    return years, sorted(courts.values(), key=lambda c: -c["pending"])


@router.get("/backlog/next-hearing", include_in_schema=False)
@router.get("/backlog/next-hearing.json", include_in_schema=False)
@router.get("/backlog/next-hearing.csv", include_in_schema=False)
def next_hearing_page(request: Request) -> Response:
    unknown = sorted(set(request.query_params) - set(ACCEPTED))
    if unknown:
        raise UserError(f"Unknown parameter '{unknown[0]}'; this page takes: court, release.")
    _, fmt = split_format(request)
    store = store_of(request)
    view = view_for(request, strict=False)
    view.path = "/backlog/next-hearing"
    court = (request.query_params.get("court") or "").strip().upper() or None
    view.extra = {"court": court} if court else {}
    filters = Filters().narrowed(court=tuple(c for c in court.split(",") if c)) if court else None

    def compute(engine: Any) -> dict[str, Any]:
        by_court = next_hearing_result(engine, "court", filters)
        national = next_hearing_result(engine, None, filters, check=False)
        return {"at": by_court.notes["at"], "rows": by_court.rows, "national": national.rows}

    data = store.cached(("next_hearing", court), compute)
    if fmt == "json":
        return CliJSONResponse(data)
    if fmt == "csv":
        return csv_response(data["rows"], FIELDS, "asylumstats-next-hearing")
    years, courts = pivot(data["rows"])
    return html_page(
        request, view, "next_hearing.html", data, years=years, courts=courts, court=court
    )
