"""The tools people would use instead, run as whole processes by the ingest benchmark.

``python -m asylumstats.bench.baselines duckdb OUT.duckdb FILE.csv [FILE.csv …]`` loads each
file with DuckDB's plain lossy reader into a table named after the file's stem;
``python -m asylumstats.bench.baselines pandas OUT.parquet FILE.csv`` reads one file with pandas
and writes Parquet; ``python -m asylumstats.bench.baselines polars OUTDIR FILE.csv [FILE.csv …]``
scans each file lazily with Polars and sinks it to ``OUTDIR/<stem>.parquet`` (a load: every
column parsed and written, as DuckDB writes its table — a bare ``count`` would let Polars skip
the parsing). Each prints one JSON line ``{"rows": {stem: n}}`` when done. This module imports
nothing from asylumstats, so a timed run pays only for the tool itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

#: DuckDB's plain lossy reading of a release table, as published DuckDB builds use it.
DUCKDB_READ = (
    "read_csv(?, delim = '\\t', quote = '', header = true, all_varchar = true, "
    "ignore_errors = true, null_padding = true)"
)

#: Polars' lazy lossy scan of a release table (all columns as strings), sunk to Parquet.
POLARS_READ = (
    "scan_csv(separator='\\t', quote_char=None, infer_schema=False, ignore_errors=True, "
    "truncate_ragged_lines=True, encoding='utf8-lossy').sink_parquet()"
)

#: pandas' usual reading of a release table (the one that survives its quirks).
PANDAS_READ = "read_csv(sep='\\t', quoting=3, dtype=str, encoding='latin-1', on_bad_lines='skip')"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_load(out: Path, files: list[Path]) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(out))
    rows: dict[str, int] = {}
    for f in files:
        con.execute(
            f"CREATE OR REPLACE TABLE {_q(f.stem)} AS SELECT * FROM {DUCKDB_READ}", [str(f)]
        )
        result = con.execute(f"SELECT count(*) FROM {_q(f.stem)}").fetchone()
        rows[f.stem] = int(result[0]) if result else 0
    con.execute("CHECKPOINT")
    con.close()
    return rows


def pandas_load(out: Path, file: Path) -> dict[str, int]:
    import csv

    import pandas as pd

    df = pd.read_csv(
        file, sep="\t", quoting=csv.QUOTE_NONE, dtype=str, encoding="latin-1", on_bad_lines="skip"
    )
    df.to_parquet(out, engine="pyarrow", compression="zstd", index=False)
    return {file.stem: len(df)}


def polars_load(out: Path, files: list[Path]) -> dict[str, int]:
    import polars as pl

    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for f in files:
        target = out / f"{f.stem}.parquet"
        pl.scan_csv(
            f,
            separator="\t",
            quote_char=None,
            infer_schema=False,
            ignore_errors=True,
            truncate_ragged_lines=True,
            encoding="utf8-lossy",
        ).sink_parquet(target)
        rows[f.stem] = int(pl.scan_parquet(target).select(pl.len()).collect().item())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m asylumstats.bench.baselines")
    parser.add_argument("tool", choices=("duckdb", "pandas", "polars"))
    parser.add_argument("out", type=Path)
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.tool == "duckdb":
        rows = duckdb_load(args.out, args.files)
    elif args.tool == "polars":
        rows = polars_load(args.out, args.files)
    else:
        if len(args.files) != 1:
            parser.error("pandas reads exactly one file")
        rows = pandas_load(args.out, args.files[0])
    sys.stdout.write(json.dumps({"rows": rows}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
