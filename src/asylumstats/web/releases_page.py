"""``/releases``: the releases kept beside the database and what changed in the latest one.

The diff of the two newest releases is computed on first view and cached next to them
(``<db>.releases/diffs/``), since at national size it takes minutes; a cached diff older than
either database is recomputed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from asylumstats.releases.store import KeptRelease, list_releases, store_dir
from asylumstats.web.pages import csv_response, html_page, split_format, view_for
from asylumstats.web.responses import CliJSONResponse

router = APIRouter()

RELEASE_FIELDS = ["release", "release_date", "rows", "ingested_at", "synthetic", "current"]


def latest_diff(db_path: Path, kept: list[KeptRelease]) -> dict[str, Any] | None:
    """The diff of the two newest releases kept (cached as JSON), or None with fewer than two."""
    if len(kept) < 2:
        return None
    new, old = kept[0], kept[1]
    cache = store_dir(db_path) / "diffs" / f"{old.path.stem}--{new.path.stem}.json"
    newest_db = max(old.path.stat().st_mtime, new.path.stat().st_mtime)
    if cache.is_file() and cache.stat().st_mtime >= newest_db:
        try:
            return json.loads(cache.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except (OSError, ValueError):
            pass
    from asylumstats.releases.diff import Side, diff_databases

    def side(r: KeptRelease) -> Side:
        return Side(r.path, r.release, r.release_date.isoformat() if r.release_date else None)

    result = diff_databases(side(old), side(new))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(cache.name + f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(result, default=str), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only data folder: serve it uncached
        pass
    return result


@router.get("/releases", include_in_schema=False)
@router.get("/releases.json", include_in_schema=False)
@router.get("/releases.csv", include_in_schema=False)
def releases_page(request: Request) -> Response:
    _, fmt = split_format(request)
    view = view_for(request)
    view.path = "/releases"
    base = request.app.state.stores.base_path
    kept = list_releases(base)
    rows = [{k: r.as_json()[k] for k in RELEASE_FIELDS} for r in kept]
    diff = latest_diff(base, kept)
    metrics = sorted((diff or {}).get("metrics", []), key=lambda m: -abs(m.get("change") or 0))
    data = {"page": "releases", "releases": rows, "latest_diff": diff}
    if fmt == "json":
        return CliJSONResponse(data)
    if fmt == "csv":
        return csv_response(rows, RELEASE_FIELDS, "asylumstats-releases")
    return html_page(request, view, "releases.html", data, top_metrics=metrics[:25])
