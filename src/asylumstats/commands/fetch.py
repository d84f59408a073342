"""``asylumstats fetch [URL] [--out PATH]``: download a release, resumable and verified."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from asylumstats.cli import app
from asylumstats.release.fetch import DEFAULT_URL


@app.command("fetch")
def fetch(
    url: Annotated[
        str, typer.Argument(help="Release zip URL (default: EOIR's published location).")
    ] = DEFAULT_URL,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="File or folder to save to (default: the URL's file name)."),
    ] = None,
) -> None:
    """Download a release zip: resumable, kept only when every member's CRC checks out.

    A progress bar on a terminal; an interrupted download resumes (HTTP Range) on the next run.
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from asylumstats.release.fetch import fetch_release

    err = Console(stderr=True)
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not sys.stderr.isatty(),
    )
    task = bar.add_task("Downloading", total=None)

    def show(done: int, total: int | None, note: str | None) -> None:
        if note:
            bar.console.print(f"{note} ({done:,} bytes on disk)")
        bar.update(task, completed=done, total=total)

    with bar:
        result = fetch_release(url, out, progress=show)
    err.print(
        f"Saved {result.path} ({result.size:,} bytes, {result.members} members checked"
        + (f", resumed at {result.resumed_at:,} bytes" if result.resumed_at else "")
        + f") in {result.seconds:.1f} s."
    )
