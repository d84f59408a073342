"""Vega-Lite chart specs: grant rates as points with 95% interval rules, readable without colour.

Every chart is a layer of a rule (the Wilson interval) and a point (the rate); series are told
apart by shape as well as colour, and groups with fewer than 25 decisions are drawn faded (and
labelled in the table under the chart). The specs embed their data, so a chart shows exactly
the numbers of the table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asylumstats.errors import UserError
from asylumstats.metrics.dimensions import Dimension, display_rows
from asylumstats.metrics.intervals import wilson

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"

_RATE_AXIS = {"format": ".0%", "title": "Grant rate (95% interval)", "grid": True, "tickCount": 5}
_OPACITY = {"condition": {"test": "datum.small_sample", "value": 0.45}, "value": 1}
_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross"]


def _values(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        if r.get("grant_rate") is None:
            continue  # no merits decisions: nothing to draw (the table shows the counts)
        out.append({f: r.get(f) for f in fields})
    return out


def _base(title: str, description: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": description,
        "data": {"values": values},
        "config": {
            "font": "system-ui, sans-serif",
            "axis": {"labelFontSize": 12, "titleFontSize": 12},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
        },
    }


def _tooltip(label_field: str, label_title: str) -> list[dict[str, Any]]:
    return [
        {"field": label_field, "title": label_title},
        {"field": "grant_rate", "title": "Grant rate", "format": ".1%"},
        {"field": "ci_low", "title": "95% low", "format": ".1%"},
        {"field": "ci_high", "title": "95% high", "format": ".1%"},
        {"field": "grants", "title": "Grants"},
        {"field": "decisions", "title": "Decisions"},
    ]


_VALUE_FIELDS = ("grant_rate", "ci_low", "ci_high", "grants", "decisions", "small_sample")


def trend_chart(
    rows: Sequence[dict[str, Any]], x: str, title: str, series: str | None = None
) -> dict[str, Any]:
    """Rate over time (``x`` = ``fiscal_year`` or ``month``), optionally one mark per series."""
    fields = [x, *_VALUE_FIELDS] + ([series] if series else [])
    values = _values(rows, fields)
    if x == "month":
        for v in values:
            v["month"] = f"{v['month']}-15"  # mid-month: no time-zone edge effects
        x_enc: dict[str, Any] = {
            "field": "month",
            "type": "temporal",
            "timeUnit": "utcyearmonth",
            "title": "Month",
            "axis": {"format": "%b %Y", "labelOverlap": True},
        }
    else:
        x_enc = {
            "field": x,
            "type": "ordinal",
            "title": "Fiscal year",
            "axis": {"labelAngle": 0, "labelOverlap": "greedy", "labelSeparation": 6},
        }
    enc: dict[str, Any] = {"x": x_enc}
    point_enc: dict[str, Any] = {
        "y": {
            "field": "grant_rate",
            "type": "quantitative",
            "scale": {"domain": [0, 1]},
            "axis": _RATE_AXIS,
        },
        "opacity": _OPACITY,
        "tooltip": _tooltip(x, "Period"),
    }
    rule_enc: dict[str, Any] = {
        "y": {"field": "ci_low", "type": "quantitative"},
        "y2": {"field": "ci_high"},
        "opacity": _OPACITY,
    }
    if series:
        order = list(dict.fromkeys(str(v[series]) for v in values))  # first appearance
        legend = {"title": None, "columns": 1, "labelLimit": 280}
        point_enc["shape"] = {
            "field": series,
            "type": "nominal",
            "legend": legend,
            "scale": {"domain": order, "range": _SHAPES},
        }
        point_enc["color"] = {
            "field": series,
            "type": "nominal",
            "legend": legend,
            "scale": {"domain": order},
        }
        rule_enc["color"] = {
            "field": series,
            "type": "nominal",
            "legend": legend,
            "scale": {"domain": order},
        }
        if x != "month":
            enc["xOffset"] = {"field": series, "type": "nominal", "sort": order}
    description = (
        f"{title}. Points are grant rates, vertical lines their 95% intervals; faded marks "
        "have fewer than 25 decisions. The table below the chart lists the same numbers."
    )
    spec = _base(title, description, values)
    spec.update(
        width="container",
        height=260,
        encoding=enc,
        layer=[
            {"mark": {"type": "rule", "strokeWidth": 2}, "encoding": rule_enc},
            {"mark": {"type": "point", "filled": True, "size": 70}, "encoding": point_enc},
        ],
    )
    return spec


def ranked_chart(
    rows: Sequence[dict[str, Any]],
    label: str,
    title: str,
    reference: float | None = None,
) -> dict[str, Any]:
    """Groups (judges of a court, courts of a nationality…) ranked by rate, with intervals."""
    code = label.replace("_name", "_code")
    values = _values(rows, [label, code, *_VALUE_FIELDS])
    for v in values:  # a name, else the code; a name shared by two codes gets its code
        v[label] = v[label] or v.get(code) or "(unknown)"
    counts: dict[str, int] = {}
    for v in values:
        counts[v[label]] = counts.get(v[label], 0) + 1
    for v in values:
        if counts[v[label]] > 1 and v.get(code):
            v[label] = f"{v[label]} ({v[code]})"
    y = {
        "field": label,
        "type": "nominal",
        "title": None,
        "sort": {"field": "grant_rate", "order": "descending"},
        "axis": {"labelLimit": 130},
    }
    x = {
        "field": "grant_rate",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {**_RATE_AXIS, "orient": "top", "tickCount": 5},
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "rule", "strokeWidth": 2},
            "encoding": {
                "y": y,
                "x": {"field": "ci_low", "type": "quantitative"},
                "x2": {"field": "ci_high"},
                "opacity": _OPACITY,
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 60},
            "encoding": {"y": y, "x": x, "opacity": _OPACITY, "tooltip": _tooltip(label, "Name")},
        },
    ]
    if reference is not None:
        layers.append(
            {
                "data": {"values": [{"ref": reference}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#555"},
                "encoding": {"x": {"field": "ref", "type": "quantitative"}},
            }
        )
    description = (
        f"{title}. Each row is a point (grant rate) with a horizontal 95% interval; faded rows "
        "have fewer than 25 decisions"
        + ("; the dashed line is the overall rate" if reference is not None else "")
        + ". The table below lists the same numbers."
    )
    spec = _base(title, description, values)
    spec.update(width="container", height=max(60, 24 * len(values)), layer=layers)
    return spec


def quarter_midpoint(quarter: str) -> str:
    """``"2024-Q2"`` → ``"2024-05-15"`` (the middle month of the quarter, mid-month)."""
    year, q = quarter.split("-Q")
    return f"{year}-{int(q) * 3 - 1:02d}-15"


def band_chart(rows: Sequence[dict[str, Any]], x: str, title: str) -> dict[str, Any]:
    """Rate over time as a line with its 95% interval as a shaded band (``x`` = ``quarter``)."""
    values = _values(rows, [x, *_VALUE_FIELDS])
    for v in values:
        v["date"] = quarter_midpoint(v[x])
    x_enc = {
        "field": "date",
        "type": "temporal",
        "title": None,
        "axis": {
            "format": "%Y",
            "labelOverlap": "greedy",
            "tickCount": {"interval": "year"},
            "grid": False,
        },
    }
    y_enc = {
        "field": "grant_rate",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": _RATE_AXIS,
    }
    description = (
        f"{title}. The line is the grant rate of each quarter, the shaded band its 95% "
        "interval; faded points have fewer than 25 decisions. The table below the chart "
        "lists the same numbers."
    )
    spec = _base(title, description, values)
    spec.update(
        width="container",
        height=240,
        encoding={"x": x_enc},
        layer=[
            {
                "mark": {"type": "area", "opacity": 0.25, "color": "#4c78a8"},
                "encoding": {
                    "y": {"field": "ci_low", "type": "quantitative"},
                    "y2": {"field": "ci_high"},
                },
            },
            {
                "mark": {"type": "line", "color": "#1f4e79", "strokeWidth": 2},
                "encoding": {"y": y_enc},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 25, "color": "#1f4e79"},
                "encoding": {"y": y_enc, "opacity": _OPACITY, "tooltip": _tooltip(x, "Quarter")},
            },
        ],
    )
    return spec


#: Image formats a chart can be saved as → media type.
IMAGE_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}
#: Width of a saved chart (a page's charts take their container's width instead).
IMAGE_WIDTH = 720


def to_image(spec: dict[str, Any], fmt: str) -> bytes:
    """The chart as PNG or SVG bytes, drawn on the server (vl-convert, no browser)."""
    import vl_convert as vlc  # heavy: imported only when an image is asked for

    fixed = {**spec, "width": IMAGE_WIDTH, "background": "white"}
    if fmt == "svg":
        return vlc.vegalite_to_svg(fixed).encode("utf-8")  # type: ignore[no-any-return]
    if fmt == "png":
        return vlc.vegalite_to_png(fixed, scale=2)  # type: ignore[no-any-return]
    raise ValueError(f"unknown image format {fmt!r}")


def image_format(path: str | Path) -> str:
    """``png`` or ``svg`` from a file name's suffix (a UserError otherwise)."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in IMAGE_TYPES:
        raise UserError(f"Cannot save a chart as '{path}'; name a .png or .svg file.")
    return fmt


def save_chart(spec: dict[str, Any], path: str | Path) -> None:
    """Write the chart to ``path``; its suffix (.png or .svg) chooses the format."""
    Path(path).write_bytes(to_image(spec, image_format(path)))


#: Most groups a ranked chart draws (more would not be legible).
MAX_RANKED = 80


def rates_chart(
    rows: Sequence[dict[str, Any]], dims: Sequence[Dimension], definition: str
) -> dict[str, Any] | None:
    """The chart of a rates table grouped by one dimension (None when it has no chart)."""
    if len(dims) != 1:
        return None
    title = f"Grant rate by {dims[0].label.lower()} ({definition})"
    if dims[0].name in ("fiscal_year", "month"):
        return trend_chart(rows, dims[0].name, title)
    if dims[0].name_column and len(rows) <= MAX_RANKED:
        return ranked_chart(display_rows(rows), dims[0].name_column, title)
    return None


def change_chart(
    rows: Sequence[dict[str, Any]],
    dims: Sequence[Dimension],
    definition: str,
    base: str,
    current: str,
) -> dict[str, Any]:
    """Base and current rates of each group side by side, each with its 95% interval."""
    values = []
    for r in display_rows(rows)[:MAX_RANKED]:
        label = " · ".join(
            str(r.get(d.name_column or d.code_column) or r.get(d.code_column) or "(unknown)")
            for d in dims
        )
        for side, period in (("base", base), ("current", current)):
            n, g = r.get(f"{side}_decisions") or 0, r.get(f"{side}_grants") or 0
            if not n or r.get(f"{side}_rate") is None:
                continue
            low, high = wilson(int(g), int(n))
            values.append(
                {"group": label or "All", "period": f"{side.capitalize()} {period}",
                 "grant_rate": r[f"{side}_rate"], "ci_low": low, "ci_high": high,
                 "grants": g, "decisions": n, "small_sample": n < 25}
            )  # fmt: skip
    title = f"Grant rate, {base} against {current} ({definition})"
    order = list(dict.fromkeys(v["period"] for v in values))
    y = {"field": "group", "type": "nominal", "title": None, "axis": {"labelLimit": 130}}
    colour = {"field": "period", "type": "nominal", "scale": {"domain": order},
              "legend": {"title": None, "columns": 1, "labelLimit": 280}}  # fmt: skip
    x = {"field": "grant_rate", "type": "quantitative", "scale": {"domain": [0, 1]},
         "axis": {**_RATE_AXIS, "orient": "top"}}  # fmt: skip
    description = (
        f"{title}. For each group, a point per period (grant rate) with a horizontal 95% "
        "interval; faded marks have fewer than 25 decisions."
    )
    spec = _base(title, description, values)
    groups = len({v["group"] for v in values})
    spec.update(
        width="container",
        height=max(60, 36 * groups),
        encoding={"y": y, "yOffset": {"field": "period", "sort": order}},
        layer=[
            {"mark": {"type": "rule", "strokeWidth": 2},
             "encoding": {"x": {"field": "ci_low", "type": "quantitative"},
                          "x2": {"field": "ci_high"}, "color": colour, "opacity": _OPACITY}},
            {"mark": {"type": "point", "filled": True, "size": 60},
             "encoding": {"x": x, "color": colour, "shape": {**colour, "scale": {
                 "domain": order, "range": _SHAPES}}, "opacity": _OPACITY,
                 "tooltip": _tooltip("period", "Period")}},
        ],
    )  # fmt: skip
    return spec
