"""Ingest benchmark: our lossless ingest against DuckDB's, Polars' and pandas' lossy readers
and against decompression alone (``7z x -so``), paired.

Every method is a whole process (interpreter start and imports included), run on the same files
(every data table of the release) in the page cache, in rounds that alternate the methods
(``shared/ingest-performance.md``: the machine's speed drifts, so time ratios are taken per
round and their median reported). An anchor whose tool is missing (7-Zip, Polars) is skipped
with the reason. Afterwards, outside the timings, each lossy reader's output is checked: rows
kept against ``Count.txt`` and rows *misplaced* — a kept row with a value its column cannot hold
(an id or date that does not parse, a code too long or off its pattern), which is what a
tab-shifted row looks like once a reader has silently kept it — plus the kept keys that are not
among the keys we loaded. Every data table has its column rules, so all of them are checked.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

import psutil

from asylumstats.bench.dataset import Dataset, warm_page_cache
from asylumstats.bench.measure import ProcessRun, run_process
from asylumstats.ingest.tables import BY_STEM, Column, TableSpec

MB = 1_000_000
#: pandas needs about 3.7× the table's bytes (measured); plus the interpreter.
PANDAS_BYTES_FACTOR = 3.7
#: 7-Zip's command names, the first found is used.
SEVEN_ZIP_NAMES = ("7z", "7zz", "7za")
#: Every ingest method and anchor, in the order each round runs them.
METHODS = ("duckdb", "ours_folder", "ours_zip", "7z", "polars", "pandas")
#: The lossy readers whose output is checked for rows kept, lost and misplaced.
BASELINES = ("duckdb", "polars", "pandas")
#: (ours, other) pairs whose time ratio is reported.
RATIO_PAIRS: tuple[tuple[str, str], ...] = (
    ("ours_folder", "duckdb"),
    ("ours_zip", "duckdb"),
    ("ours_zip", "7z"),
    ("ours_folder", "7z"),
    ("ours_folder", "polars"),
    ("ours_folder", "pandas"),
)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def invalid_sql(col: Column, src: str, key: bool = False) -> str | None:
    """SQL that is true when raw string column ``src`` holds a value ``col`` cannot hold.

    Mirrors ``ingest.values.Rule.check`` without lookup membership; None for free text. Only
    the table's own ``key`` must be present; a blank reference id (an appeal without a
    proceeding) is a value, not a sign of a shift.
    """
    t = f"trim(replace(coalesce({src}, ''), chr(0), ''))"
    if col.kind == "text":
        return None
    if col.kind == "id":
        bad = f"NOT regexp_full_match({t}, '-?[0-9]{{1,18}}')"
        return bad if key else f"({t} <> '' AND {bad})"
    null = f"({t} IN ('', 'N/A', 'b6') OR ltrim({t}, '?') = '')"
    if col.kind == "int":
        bad = f"NOT regexp_full_match({t}, '-?[0-9]{{1,18}}')"
    elif col.kind == "date":
        bad = f"(TRY_CAST({t} AS TIMESTAMP) IS NULL AND trim({t}, '0-:. ') <> '')"
    else:
        parts = []
        if col.max_len is not None:
            parts.append(f"length({t}) > {col.max_len}")
        if col.pattern is not None:
            parts.append(f"NOT regexp_full_match({t}, {_sql_str(col.pattern)})")
        if not parts:
            return None
        bad = "(" + " OR ".join(parts) + ")"
        if col.kind in ("month", "year"):
            bad = f"(ltrim({t}, '0') <> '' AND {bad})"
    return f"(NOT {null} AND {bad})"


def _match_columns(spec: TableSpec, present: list[str]) -> dict[str, str]:
    """Spec column name → the baseline's column name (by header name, case-insensitive)."""
    by_lower = {c.lower(): c for c in present}
    out: dict[str, str] = {}
    for col in spec.columns:
        names = [col.name] + [old for old, new in spec.aliases.items() if new == col.name]
        for n in names:
            if n.lower() in by_lower:
                out[col.name] = by_lower[n.lower()]
                break
    return out


def check_table(con: Any, relation: str, spec: TableSpec, ours_db: str | None) -> dict[str, Any]:
    """Rows, misplaced rows and keys unmatched in our database, for one baseline table."""
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    matched = _match_columns(spec, cols)
    conds = []
    for col in spec.columns:
        src = matched.get(col.name)
        if src is None:
            continue
        cond = invalid_sql(col, _q(src), key=col.name == spec.key)
        if cond is not None:
            conds.append(cond)
    where = " OR ".join(conds) if conds else "false"
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {where}) FROM {relation}"
    ).fetchone()
    result: dict[str, Any] = {
        "rows": int(row[0]),
        "misplaced": int(row[1]),
        "extra_columns": [c for c in cols if c not in matched.values()],
    }
    key_src = matched.get(spec.key)
    if ours_db is not None and key_src is not None:
        key_col = spec.column(spec.key)
        key = key_col.db_name
        k = f"trim(replace(b.{_q(key_src)}, chr(0), ''))"
        if key_col.kind == "id":
            k = f"TRY_CAST({k} AS BIGINT)"  # ids are numbers in ours; codes stay text
        unmatched = con.execute(
            f"SELECT count(*) FROM {relation} AS b WHERE NOT EXISTS "
            f"(SELECT 1 FROM ours.{_q(spec.db_name)} AS o WHERE o.{_q(key)} = {k})"
        ).fetchone()
        result["keys_not_in_ours"] = int(unmatched[0])
    return result


def analyse_baseline(relations: dict[str, str], ours_db: Path | None) -> dict[str, dict[str, Any]]:
    """Per table: rows kept, misplaced and keys not in ours, of a baseline's output.

    ``relations`` maps each table's stem to the baseline's output for it: a DuckDB database file
    (the table named after the stem) or a Parquet file (``*.parquet``)."""
    import duckdb

    con = duckdb.connect()
    try:
        if ours_db is not None and ours_db.is_file():
            con.execute(f"ATTACH {_sql_str(str(ours_db))} AS ours (READ_ONLY)")
        else:
            ours_db = None
        attached: dict[str, str] = {}
        out: dict[str, dict[str, Any]] = {}
        for stem, output in relations.items():
            spec = BY_STEM[stem.lower()]
            if output.endswith(".parquet"):
                relation = f"read_parquet({_sql_str(output)})"
            else:
                if output not in attached:
                    attached[output] = f"base{len(attached)}"
                    con.execute(f"ATTACH {_sql_str(output)} AS {attached[output]} (READ_ONLY)")
                relation = f"{attached[output]}.{_q(stem)}"
            out[stem] = check_table(con, relation, spec, str(ours_db) if ours_db else None)
        return out
    finally:
        con.close()


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("asylumstats")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "asylumstats"]


def _remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def seven_zip() -> str | None:
    """The 7-Zip command on this machine (``7z``, else ``7zz`` or ``7za``), or None."""
    for name in SEVEN_ZIP_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def anchor_skips() -> dict[str, str]:
    """Anchors that cannot run here, with the reason (7-Zip or Polars missing)."""
    skips: dict[str, str] = {}
    if seven_zip() is None:
        skips["7z"] = (
            "skipped: 7-Zip is not installed (none of " + ", ".join(SEVEN_ZIP_NAMES) + " on PATH)"
        )
    if importlib.util.find_spec("polars") is None:
        skips["polars"] = "skipped: polars is not installed (pip install polars, or the dev extra)"
    return skips


def _method_result(
    name: str, what: str, bytes_in: int, rows_in: int, runs: list[ProcessRun]
) -> dict[str, Any]:
    ok = [r for r in runs if r.ok()]
    wall = statistics.median(r.wall_s for r in ok) if ok else None
    return {
        "method": name,
        "input": what,
        "bytes": bytes_in,
        "rows": rows_in,
        "runs": [r.summary() for r in runs],
        "wall_s": wall,
        "mb_per_s": (bytes_in / MB / wall) if wall else None,
        "rows_per_s": (rows_in / wall) if wall else None,
        "peak_rss_mib": max((r.peak_rss_mib for r in ok), default=None),
        "peak_tree_rss_mib": max((r.peak_tree_rss_mib for r in ok), default=None),
        "error": None if ok else (_tail(runs[-1].stderr) if runs else "not run"),
        "failed_runs": len(runs) - len(ok),
    }


def time_ratios(
    runs: dict[str, list[ProcessRun]], bytes_by_method: dict[str, int]
) -> dict[str, float | None]:
    """Per pair of :data:`RATIO_PAIRS`: the median over rounds of ours' time ÷ the other's.

    Both read the same bytes except pandas (one table), whose ratio is per MB of text read.
    Below 1 means ours took less time."""
    out: dict[str, float | None] = {}
    for ours_key, base_key in RATIO_PAIRS:
        per_round = []
        for o, b in zip(runs.get(ours_key, []), runs.get(base_key, []), strict=False):
            if o.ok() and b.ok() and b.wall_s > 0:
                o_per = o.wall_s / bytes_by_method[ours_key]
                b_per = b.wall_s / bytes_by_method[base_key]
                per_round.append(o_per / b_per)
        out[f"{ours_key}/{base_key}"] = statistics.median(per_round) if per_round else None
    return out


def _log_run(log: Any, label: str, r: ProcessRun) -> None:
    log(
        f"  {label}: {r.wall_s:.1f} s, peak {r.peak_rss_mib:,.0f} MiB"
        + ("" if r.ok() else f" FAILED: {_tail(r.stderr)}")
    )


def run_ingest(
    ds: Dataset, work: Path, repeat: int, pandas_limit_gb: float, log: Any = print
) -> dict[str, Any]:
    """Run every ingest method and anchor ``repeat`` times, alternating; check the outputs."""
    work.mkdir(parents=True, exist_ok=True)
    unpacked = Path(ds.unpacked)
    files = [Path(t.path) for t in ds.tables]
    stems = [t.stem for t in ds.tables]
    all_bytes, all_rows = ds.data_bytes, ds.data_rows
    largest = ds.largest()
    pandas_table = ds.table("B_TblProceeding") or largest

    ours_zip_db = work / "ours-zip.duckdb"
    ours_dir_db = work / "ours-folder.duckdb"
    duck_db = work / "duckdb-lossy.duckdb"
    pandas_out = work / "pandas.parquet"
    polars_out = work / "polars"

    est_pandas = PANDAS_BYTES_FACTOR * pandas_table.bytes + 300 * MB
    avail = psutil.virtual_memory().available
    limit = min(pandas_limit_gb * 1e9, 0.5 * avail)
    skips = anchor_skips()
    if est_pandas > limit:
        skips["pandas"] = (
            f"skipped: pandas would need about {est_pandas / 1e9:.1f} GB for "
            f"{pandas_table.stem} ({pandas_table.bytes / 1e9:.2f} GB of text; 3.7× measured), "
            f"above the limit of {limit / 1e9:.1f} GB (--pandas-limit-gb, half the free RAM)"
        )
    baseline = [sys.executable, "-m", "asylumstats.bench.baselines"]
    # The other tools, in the order they run in every round (after DuckDB and ours).
    others: dict[str, tuple[list[str], Path | None, bool]] = {
        "7z": ([seven_zip() or "7z", "x", "-so", ds.zip_path], None, True),
        "polars": ([*baseline, "polars", str(polars_out), *map(str, files)], polars_out, False),
        "pandas": ([*baseline, "pandas", str(pandas_out), pandas_table.path], pandas_out, False),
    }

    methods: dict[str, list[ProcessRun]] = {key: [] for key in METHODS}
    ours_json: dict[str, Any] = {}
    cli = _cli()
    for round_no in range(repeat):
        log(f"ingest round {round_no + 1}/{repeat}")
        warm_page_cache([Path(ds.zip_path), *files])
        # Reference first in every round, as in ingest-performance.md.
        _remove_db(duck_db)
        r = run_process([*baseline, "duckdb", str(duck_db), *map(str, files)])
        methods["duckdb"].append(r)
        _log_run(log, "duckdb lossy", r)

        for key, source, target in (
            ("folder", str(unpacked), ours_dir_db),
            ("zip", ds.zip_path, ours_zip_db),
        ):
            # Each run builds a fresh file; a failed run must not cost an earlier good one.
            fresh = target.with_name(f"{target.stem}.round{round_no + 1}.duckdb")
            _remove_db(fresh)
            r = run_process([*cli, "ingest", source, "--db", str(fresh), "--json"])
            methods[f"ours_{key}"].append(r)
            _log_run(log, f"ours ({key})", r)
            if r.ok() and fresh.is_file():
                ours_json[key] = _parse_json(r.stdout)
                _remove_db(target)
                fresh.rename(target)
            else:
                _remove_db(fresh)

        for key, (argv, output, discard) in others.items():
            if key in skips:
                continue
            if output is not None:
                _remove_db(output)
            r = run_process(argv, discard_stdout=discard)
            methods[key].append(r)
            _log_run(log, key if key != "pandas" else f"pandas ({pandas_table.stem})", r)

    results: dict[str, Any] = {}
    inputs = {
        "ours_zip": ("asylumstats ingest (lossless)", "release zip (all tables)"),
        "ours_folder": ("asylumstats ingest (lossless)", "unpacked folder (all tables)"),
        "duckdb": ("DuckDB read_csv lossy → table", "unpacked folder (all tables)"),
        "7z": ("`7z x -so` > /dev/null (decompression only)", "release zip (every member)"),
        "polars": ("Polars scan_csv lossy → Parquet", "unpacked folder (all tables)"),
        "pandas": ("pandas read_csv → Parquet", f"{pandas_table.stem}.csv only"),
    }
    bytes_by_method = {key: all_bytes for key in METHODS}
    bytes_by_method["pandas"] = pandas_table.bytes
    for key, (name, what) in inputs.items():
        rows = (pandas_table.count_txt or 0) if key == "pandas" else all_rows
        results[key] = _method_result(name, what, bytes_by_method[key], rows, methods[key])
        if key in skips:
            results[key]["error"] = skips[key]
            results[key]["skipped"] = True
    results["pandas"]["table"] = pandas_table.stem
    results["time_ratios"] = time_ratios(methods, bytes_by_method)

    # Correctness: rows kept, lost and misplaced against Count.txt and our database.
    counts = {t.stem: t.count_txt for t in ds.tables}
    ours_tables = (ours_json.get("folder") or ours_json.get("zip") or {}).get("tables", {})
    correctness: dict[str, Any] = {"ours": _ours_rows(ds, stems, ours_tables)}
    outputs: dict[str, dict[str, str]] = {
        "duckdb": {stem: str(duck_db) for stem in stems},
        "polars": {stem: str(polars_out / f"{stem}.parquet") for stem in stems},
        "pandas": {pandas_table.stem: str(pandas_out)},
    }
    for kind, relations in outputs.items():
        runs = methods[kind]
        if not runs or not runs[-1].ok() or not all(Path(o).exists() for o in relations.values()):
            correctness[kind] = None
            continue
        log(f"checking the {kind} output …")
        try:
            checked = analyse_baseline(relations, ours_dir_db if ours_dir_db.is_file() else None)
        except Exception as exc:
            correctness[kind] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            continue
        for stem, c in checked.items():
            expected = counts.get(stem)
            c["count_txt"] = expected
            c["lost"] = None if expected is None else expected - c["rows"]
        correctness[kind] = checked
    results["correctness"] = correctness
    results["totals"] = _totals(correctness)
    results["db_sizes_mb"] = {
        p.name: round(_size(p) / MB, 1)
        for p in (ours_zip_db, ours_dir_db, duck_db, polars_out, pandas_out)
        if p.exists()
    }
    results["query_db"] = str(ours_zip_db if ours_zip_db.is_file() else ours_dir_db)
    # The baseline outputs are not needed any more; keep our databases for the queries.
    for p in (duck_db, polars_out, pandas_out):
        _remove_db(p)
    if ours_zip_db.is_file():
        _remove_db(ours_dir_db)
    return results


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def _ours_rows(
    ds: Dataset, stems: list[str], ours_tables: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per table: our loaded / repaired / quarantined / lost rows, and the generator's truth."""
    counts = {t.stem: t.count_txt for t in ds.tables}
    ours_rows: dict[str, dict[str, Any]] = {}
    for stem in stems:
        t = ours_tables.get(stem)
        if t is None:
            continue
        expected = counts.get(stem)
        kept = int(t["loaded"]) + int(t["quarantined"])
        ours_rows[stem] = {
            "count_txt": expected,
            "rows_in_file": t["rows_in_file"],
            "loaded": t["loaded"],
            "repaired": t["repaired"],
            "quarantined": t["quarantined"],
            "lost": None if expected is None else expected - kept,
        }
        truth = (ds.truth.get("tables") or {}).get(stem)
        if truth:
            ours_rows[stem]["truth"] = {
                k: truth.get(k) for k in ("loaded", "repaired", "quarantined")
            }
            ours_rows[stem]["matches_truth"] = all(
                truth.get(k) is None or int(truth[k]) == int(t[k])
                for k in ("loaded", "repaired", "quarantined")
            )
    return ours_rows


def _totals(correctness: dict[str, Any]) -> dict[str, dict[str, int | None]]:
    """Sums over tables: rows kept, lost vs Count.txt, misplaced, keys not in ours."""
    out: dict[str, dict[str, int | None]] = {}
    ours = correctness.get("ours") or {}
    if ours:
        lost = [t["lost"] for t in ours.values()]
        out["ours"] = {
            "kept": sum(int(t["loaded"]) for t in ours.values()),
            "quarantined": sum(int(t["quarantined"]) for t in ours.values()),
            "repaired": sum(int(t["repaired"]) for t in ours.values()),
            "lost": None if any(x is None for x in lost) else sum(lost),
            # Values in the wrong column cannot be loaded by design (repaired or quarantined);
            # the per-table counts are checked against the generator's truth instead.
            "misplaced": 0,
            "tables_matching_truth": sum(1 for t in ours.values() if t.get("matches_truth")),
            "tables_checked_against_truth": sum(1 for t in ours.values() if "truth" in t),
        }
    for kind in BASELINES:
        tables = correctness.get(kind)
        if not tables or "error" in tables:
            continue
        lost = [t["lost"] for t in tables.values()]
        out[kind] = {
            "kept": sum(t["rows"] for t in tables.values()),
            "lost": None if any(x is None for x in lost) else sum(lost),
            "misplaced": sum(t["misplaced"] for t in tables.values()),
            "keys_not_in_ours": (
                sum(t.get("keys_not_in_ours", 0) for t in tables.values())
                if all("keys_not_in_ours" in t for t in tables.values())
                else None
            ),
        }
    return out


def _tail(stderr: str) -> str:
    """The last meaningful line of a failed process's stderr."""
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no output"


def _parse_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return {}
