"""Shared output helpers for the query commands: JSON, CSV, Rich tables, notices.

Rich is imported where a table is drawn or a terminal gets colour: JSON and CSV output, and
notices to a pipe, never load it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from asylumstats.commands.options import OutputFormat
from asylumstats.csvcell import csv_cell
from asylumstats.metrics.dimensions import display_rows
from asylumstats.metrics.query import is_synthetic

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: this database was built from a generated sample release, not from EOIR "
    "records; its numbers describe no real court."
)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def print_json(data: Any) -> None:
    """Pure JSON on stdout."""
    sys.stdout.write(json.dumps(data, default=_json_default, ensure_ascii=False) + "\n")


def print_csv(rows: Sequence[dict[str, Any]], fields: Sequence[str]) -> None:
    """Rows as CSV with a header row on stdout (just the header when there are no rows)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(fields)
    for r in rows:
        writer.writerow([csv_cell(r.get(f)) for f in fields])


def notice_if_synthetic(release: dict[str, str]) -> None:
    """Print the synthetic-data label on stderr when the release is synthetic (in bold red
    on a terminal)."""
    if not is_synthetic(release):
        return
    if sys.stderr.isatty():
        from rich.console import Console

        Console(stderr=True, soft_wrap=True).print(f"[bold red]{SYNTHETIC_NOTICE}[/]")
    else:  # what Rich writes to a pipe, without loading it
        say(SYNTHETIC_NOTICE)


def release_label(release: dict[str, str]) -> str:
    """The release a result comes from, for a caption."""
    return release.get("release_date") or release.get("release") or "unknown"


def pct(value: float | None) -> str:
    """A rate as a percentage with one decimal ("—" when undefined)."""
    return "—" if value is None else f"{100 * value:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    """A Wilson interval as "a–b%"."""
    if low is None or high is None:
        return "—"
    return f"{100 * low:.1f}–{100 * high:.1f}%"


def display(value: Any) -> str:
    """A key value for a table cell."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def new_table(*headers: str, **options: Any) -> Table:
    """A Rich table, ``Table(*headers, **options)``: the query commands build every table with
    it, so that Rich is imported only when a table is drawn."""
    from rich.table import Table

    return Table(*headers, **options)


def rate_table(
    rows: Sequence[dict[str, Any]], keys: Sequence[str], title: str, caption: str
) -> Table:
    """A Rich table of rate rows."""
    table = new_table(title=title, caption=caption, caption_justify="left")
    for k in keys:
        table.add_column(k)
    for name in ("grants", "denials", "other", "decisions", "grant rate", "95% CI"):
        table.add_column(name, justify="right")
    table.add_column("note")
    for r in display_rows(rows):
        table.add_row(
            *(display(r[k]) for k in keys),
            str(r["grants"]),
            str(r["denials"]),
            str(r["other"]),
            str(r["decisions"]),
            pct(r["grant_rate"]),
            interval(r["ci_low"], r["ci_high"]),
            "<25 decisions" if r["small_sample"] else "",
        )
    return table


def stdout_console() -> Console:
    """The console for tables on stdout; 200 columns wide when not writing to a terminal."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    return console


def say(message: str) -> None:
    """A notice on stderr (never on stdout, which carries only the data), as it is: no markup,
    no wrapping."""
    print(message, file=sys.stderr, flush=True)


def print_result(
    result: Any, fmt: OutputFormat, table: Callable[[], Table], empty: str | None = None
) -> None:
    """A metric result (``release``, ``rows``, ``fields``): the synthetic-data label on stderr,
    then the rows as JSON or CSV, or ``table()`` printed. With no rows, ``empty`` (what
    matched nothing) goes to stderr; JSON is then ``[]`` and CSV the header alone. Tables and
    CSV show courts as "NEW YORK (NYC)"; JSON keeps ``court_name``."""
    notice_if_synthetic(result.release)
    if not result.rows and empty:
        say(empty)
    if fmt is OutputFormat.json:
        print_json(result.rows)
    elif fmt is OutputFormat.csv:
        print_csv(display_rows(result.rows), result.fields)
    elif result.rows or not empty:
        stdout_console().print(table())
