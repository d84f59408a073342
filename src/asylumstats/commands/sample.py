"""``asylumstats sample``: write a synthetic release zip in the real layout and raw format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from asylumstats.cli import app
from asylumstats.errors import UserError


@app.command("sample")
def sample(
    out: Annotated[Path, typer.Argument(help="Zip file to write (e.g. sample.zip).")],
    cases: Annotated[int, typer.Option("--cases", help="Number of cases.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same bytes).")] = 1,
    release_date: Annotated[
        str, typer.Option("--release-date", help="Release date, YYYY-MM-DD.")
    ] = "2026-07-01",
    deflate64: Annotated[
        bool, typer.Option("--deflate64", help="Compress with Deflate64 (needs 7z).")
    ] = False,
    truth: Annotated[
        Path | None,
        typer.Option("--truth", help="Also write the expected database rows and manifest here."),
    ] = None,
) -> None:
    """Write a SYNTHETIC release zip (real layout, raw format and quirks; no real people)."""
    from asylumstats.sample import generate_release

    _check_arguments(out, cases, seed)
    try:
        summary = generate_release(
            out,
            cases,
            seed,
            release_date=release_date,
            compression="deflate64" if deflate64 else "deflate",
            truth_dir=truth,
            progress=sys.stderr.isatty(),
        )
    except OSError as exc:
        raise UserError(f"Cannot write {out} ({exc.strerror or exc}).") from exc
    t = summary["tables"]
    rows = sum(v["rows_in_file"] for v in t.values())
    quirks = sum(sum(v["quirks"].values()) for v in t.values())
    print(
        f"SYNTHETIC release written to {out}: {cases} cases, {rows} data rows in "
        f"{len(t)} tables, {quirks} planted quirks (seed {seed}).",
        file=sys.stderr,
    )


#: numpy's generators take seeds from 0 to 2**128 - 1; the CLI keeps to 64 bits.
MAX_SEED = 2**63 - 1


def _check_arguments(out: Path, cases: int, seed: int) -> None:
    if cases < 1:
        raise UserError("--cases must be at least 1.")
    if not 0 <= seed <= MAX_SEED:
        raise UserError(f"--seed must be between 0 and {MAX_SEED}.")
    if out.is_dir():
        raise UserError(f"{out} is a folder; give the zip file to write.")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"Cannot write {out}: the folder {parent} does not exist.")
    if out.exists() and not out.is_file():
        raise UserError(f"Cannot write {out}: it is not a regular file.")
