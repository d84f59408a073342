"""CSV twins of pages and API answers: rate rows as they are, profiles as one long table.

A profile becomes one CSV table with a ``section`` column (``rate``, ``court``, ``nation``,
``by_fiscal_year.<series>``, ``courts``, ``judges``, ``top_nationalities`` …) followed by the
keys and the counts, so a spreadsheet shows every number of the page with its counts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from asylumstats.csvcell import csv_cell

_SCALARS = (str, int, float, bool, type(None))


def to_csv(rows: Iterable[dict[str, Any]], fields: Sequence[str] | None = None) -> str:
    """Rows as CSV text with a header; ``fields`` default to the union of the rows' keys."""
    rows = list(rows)
    if fields is None:
        seen: dict[str, None] = {}
        for r in rows:
            for k in r:
                seen.setdefault(k, None)
        fields = list(seen)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")  # as the CLI's --format csv
    writer.writerow(fields)
    for r in rows:
        writer.writerow([csv_cell(r.get(f)) for f in fields])
    return buf.getvalue()


def _is_rate(value: Any) -> bool:
    return isinstance(value, dict) and "grant_rate" in value


def sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A page's or profile's numbers as long rows: ``section`` then keys and counts."""
    header = {
        k: v for k, v in data.items() if k.endswith(("_code", "_name")) and isinstance(v, _SCALARS)
    }
    out: list[dict[str, Any]] = []
    for key, value in data.items():
        if _is_rate(value):
            out.append({"section": key, **header, **value})
        elif isinstance(value, list):
            for item in value:
                if not isinstance(item, dict):
                    continue
                if _is_rate(item):
                    out.append({"section": key, **item})
                    continue
                scalars = {k: v for k, v in item.items() if isinstance(v, _SCALARS)}
                nested = {k: v for k, v in item.items() if _is_rate(v)}
                if not nested:
                    out.append({"section": key, **scalars})
                for name, sub in nested.items():
                    out.append({"section": f"{key}.{name}", **scalars, **sub})
    return out
