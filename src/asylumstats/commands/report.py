"""``asylumstats report``: the six questions answered in one Markdown or HTML file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from asylumstats.cli import app
from asylumstats.commands._output import notice_if_synthetic, say
from asylumstats.commands.options import (
    DbOption,
    DefinitionOption,
    EngineName,
    run_on,
    with_release,
)
from asylumstats.errors import UserError
from asylumstats.metrics.query import release_info
from asylumstats.report import FORMATS, Subject, build, to_html


def _code(help_text: str, name: str) -> object:
    return typer.Option(name, metavar="CODE", help=help_text)


@app.command("report")
@with_release
def report(
    db: DbOption = None,
    judge: Annotated[str | None, _code("Judge code (IJ_CODE) or name.", "--judge")] = None,
    court: Annotated[str | None, _code("Court code (BASE_CITY_CODE).", "--court")] = None,
    nationality: Annotated[str | None, _code("Nationality code, e.g. CH.", "--nationality")] = None,
    language: Annotated[str | None, _code("Language code, e.g. SP.", "--language")] = None,
    definition: DefinitionOption = "merits",
    fmt: Annotated[str, typer.Option("--format", metavar="md|html", help="md or html.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write here (default: stdout).")
    ] = None,
) -> None:
    """The six readers' questions answered from the database, with counts and intervals."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise UserError(f"Unknown format '{fmt}'; the report is md or html.")
    subject = Subject(judge, court, nationality, language, definition)
    info = run_on(db, EngineName.duckdb, release_info)
    notice_if_synthetic(info)
    text = run_on(db, EngineName.duckdb, build, subject)
    if fmt == "html":
        text = to_html(text)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        say(f"Report written to {out}.")
