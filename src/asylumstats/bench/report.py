"""The benchmark's goals (met / missed by how much) and its Markdown report."""

from __future__ import annotations

from typing import Any

#: The goals of issue 14 ("Lossless at the speed of lossy").
GOALS: dict[str, str] = {
    "ingest_vs_duckdb": "ingest of all data tables incl. the model build, unpacked folder: "
    "time ≤ 1.0× DuckDB's plain lossy load of the same files, zero rows lost",
    "ingest_vs_7z": "ingest from the zip: time ≤ 3× `7z x -so` of the same zip",
    "national_zip": "national release, zip to queryable (all tables): under 4 minutes",
    "ingest_rss": "peak memory during ingest ≤ 1.5 GiB",
    "rate_cli": "`asylumstats rate …` as a whole process under 300 ms",
    "appeals_backlog": "`appeals` and `backlog` p95 in-process under 200 ms",
    "web_p95": "web p95 under 300 ms with 32 concurrent clients",
    "web_errors": "web: no errors with 64 concurrent clients",
    "spark": "Spark local mode `rate --by judge` reported beside DuckDB",
}
DUCKDB_TIME_TARGET = 1.0
SEVEN_ZIP_TIME_TARGET = 3.0
NATIONAL_ZIP_TARGET_S = 240.0
RSS_TARGET_MIB = 1536.0
RATE_CLI_TARGET_S = 0.3
APPEALS_BACKLOG_TARGET_S = 0.2
WEB_P95_TARGET_S = 0.3
WEB_P95_CLIENTS = 32
WEB_ERRORS_CLIENTS = 64
#: The queries of the ``appeals_backlog`` goal (keys of ``queries.QUERIES``).
APPEALS_BACKLOG_QUERIES = ("appeals_judge", "backlog_court")
#: Goals that only a national-size run measures; below it they are reported, not judged.
NATIONAL_ONLY = ("national_zip", "ingest_rss")


def cell(text: object, limit: int = 160) -> str:
    """``text`` made safe for one Markdown table cell: one line, no pipes, bounded length."""
    t = " ".join(str(text).split()).replace("|", "/")
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _ms(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s * 1000:,.0f}" if s >= 0.01 else f"{s * 1000:,.1f}"


def _num(x: float | int | None, digits: int = 1) -> str:
    if x is None:
        return "—"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:,.{digits}f}"


def _not_measured(target: float, detail: str = "") -> dict[str, Any]:
    g: dict[str, Any] = {"status": "not measured", "value": None, "target": target}
    if detail:
        g["detail"] = detail
    return g


def _judged(value: float | None, target: float, met: str, missed: str) -> dict[str, Any]:
    """A goal of the form value ≤ target: met (detail ``met``), missed (``missed``), or not
    measured when there is no value."""
    if value is None:
        return _not_measured(target)
    ok = value <= target
    return {
        "status": "met" if ok else "missed",
        "value": value,
        "target": target,
        "detail": met if ok else missed,
    }


def _time_goal(value: float | None, target: float, what: str) -> dict[str, Any]:
    if value is None:
        return _not_measured(target)
    return _judged(
        value,
        target,
        f"{what} {_ms(value)} ms ≤ {_ms(target)} ms",
        f"missed by {_ms(value - target)} ms: {what} {_ms(value)} ms > "
        f"{_ms(target)} ms ({value / target:.1f}× the target)",
    )


def _ratio_goal(value: float | None, target: float, what: str) -> dict[str, Any]:
    """A time-ratio goal (ours ÷ theirs ≤ target): met, or missed by how much."""
    if value is None:
        return _not_measured(target)
    return _judged(
        value,
        target,
        f"{what} {value:.2f}× ≤ {target:g}×",
        f"missed by {value - target:.2f}×: {what} {value:.2f}× > {target:g}× "
        f"(needs {value / target:.2f}× less time)",
    )


def _ingest_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    goals: dict[str, dict[str, Any]] = {}
    ing = results.get("ingest") or {}
    ratios = ing.get("time_ratios") or {}
    lost = ((ing.get("totals") or {}).get("ours") or {}).get("lost")
    g = _ratio_goal(
        ratios.get("ours_folder/duckdb"),
        DUCKDB_TIME_TARGET,
        "ours (folder) ÷ DuckDB lossy, time",
    )
    if g["status"] != "not measured":
        if lost is None:
            g = _not_measured(DUCKDB_TIME_TARGET, g["detail"] + "; rows lost unknown")
        else:
            g["lost"] = lost
            g["detail"] += f"; {lost:,} rows lost" + ("" if lost == 0 else " (missed)")
            if lost != 0:
                g["status"] = "missed"
    goals["ingest_vs_duckdb"] = g
    seven = ing.get("7z") or {}
    g = _ratio_goal(
        ratios.get("ours_zip/7z"), SEVEN_ZIP_TIME_TARGET, "ours (zip) ÷ `7z x -so`, time"
    )
    if g["status"] == "not measured" and seven.get("skipped"):
        g["detail"] = str(seven.get("error"))
    goals["ingest_vs_7z"] = g
    zip_s = (ing.get("ours_zip") or {}).get("wall_s")
    goals["national_zip"] = _seconds_goal(zip_s, NATIONAL_ZIP_TARGET_S, "zip to queryable")
    rss = [
        m.get("peak_rss_mib")
        for m in (ing.get("ours_folder"), ing.get("ours_zip"))
        if m and m.get("peak_rss_mib") is not None
    ]
    if not rss:
        goals["ingest_rss"] = _not_measured(RSS_TARGET_MIB)
    else:
        peak = max(rss)
        goals["ingest_rss"] = _judged(
            peak,
            RSS_TARGET_MIB,
            f"{peak:,.0f} MiB ≤ {RSS_TARGET_MIB:,.0f} MiB",
            f"missed by {peak - RSS_TARGET_MIB:,.0f} MiB: {peak:,.0f} MiB > "
            f"{RSS_TARGET_MIB:,.0f} MiB",
        )
    return goals


def _seconds_goal(value: float | None, target: float, what: str) -> dict[str, Any]:
    if value is None:
        return _not_measured(target)
    return _judged(
        value,
        target,
        f"{what} {value:,.0f} s ≤ {target:,.0f} s",
        f"missed by {value - target:,.0f} s: {what} {value:,.0f} s > {target:,.0f} s",
    )


def _query_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    goals: dict[str, dict[str, Any]] = {}
    q = results.get("queries") or {}
    queries = q.get("queries") or []
    cli = [
        (e["cli"]["p50_s"], e["label"])
        for e in queries
        if e.get("kind") == "rate" and (e.get("cli") or {}).get("p50_s") is not None
    ]
    if cli:
        worst, label = max(cli)
        g = _time_goal(worst, RATE_CLI_TARGET_S, f"slowest median process ({label})")
    else:
        g = _not_measured(RATE_CLI_TARGET_S)
    startup = [
        f"{v['label']} {_ms(v['p50_s'])} ms"
        for v in (q.get("startup") or {}).values()
        if v.get("p50_s") is not None
    ]
    if startup and "detail" in g:
        g["detail"] += "; bare start-up (median): " + ", ".join(startup)
    goals["rate_cli"] = g
    vals = [
        (e["in_process"]["p95_s"], e["label"])
        for e in queries
        if e.get("key") in APPEALS_BACKLOG_QUERIES and e["in_process"].get("p95_s") is not None
    ]
    if vals:
        worst, label = max(vals)
        goals["appeals_backlog"] = _time_goal(
            worst, APPEALS_BACKLOG_TARGET_S, f"slowest p95 in-process ({label})"
        )
    else:
        goals["appeals_backlog"] = _not_measured(APPEALS_BACKLOG_TARGET_S)
    return goals


def _web_phases(results: dict[str, Any], clients: int) -> list[tuple[str, dict[str, Any]]]:
    """(endpoint path, concurrent phase) for every endpoint loaded with ``clients`` clients."""
    out = []
    for e in ((results.get("web") or {}).get("endpoints") or {}).values():
        for phase in e.get("concurrent") or []:
            if phase.get("concurrency") == clients:
                out.append((str(e.get("path")), phase))
    return out


def _web_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    goals: dict[str, dict[str, Any]] = {}
    p95 = [(ph["p95_s"], path) for path, ph in _web_phases(results, WEB_P95_CLIENTS) if ph["p95_s"]]
    if p95:
        worst, path = max(p95)
        goals["web_p95"] = _time_goal(
            worst, WEB_P95_TARGET_S, f"slowest p95 at {WEB_P95_CLIENTS} clients ({path})"
        )
    else:
        goals["web_p95"] = _not_measured(WEB_P95_TARGET_S)
    phases = _web_phases(results, WEB_ERRORS_CLIENTS)
    if phases:
        errors = sum(int(ph["errors"]) for _, ph in phases)
        requests = sum(int(ph["requests"]) for _, ph in phases)
        where = f"{errors:,} errors in {requests:,} requests at {WEB_ERRORS_CLIENTS} clients"
        goals["web_errors"] = {
            "status": "met" if errors == 0 else "missed",
            "value": errors,
            "target": 0,
            "detail": where if errors == 0 else f"missed by {errors:,} errors: {where}",
        }
    else:
        goals["web_errors"] = _not_measured(0)
    return goals


def _spark_goal(results: dict[str, Any]) -> dict[str, Any]:
    s = results.get("spark") or {}
    sp, dd = (s.get("spark") or {}).get("p50_s"), (s.get("duckdb") or {}).get("p50_s")
    if sp is None or dd is None:
        why = s.get("skipped") or s.get("error")
        return _not_measured(0, str(why) if why else "")
    return {
        "status": "met",
        "value": sp / dd,
        "target": None,
        "detail": f"reported: Spark p50 {_ms(sp)} ms, DuckDB {_ms(dd)} ms ({sp / dd:,.1f}×)",
    }


def evaluate_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each goal of :data:`GOALS`: status (met / missed / not measured), value, target, detail.

    The national-only goals are not judged below national size (their figure is still given);
    the others carry the note "measured at N cases (scale S), not national size"."""
    goals = {
        **_ingest_goals(results),
        **_query_goals(results),
        **_web_goals(results),
        "spark": _spark_goal(results),
    }
    ds = results.get("dataset") or {}
    scale = ds.get("scale")
    small = scale is not None and scale < 1
    size = f"{ds.get('cases', 0):,} cases (scale {scale:g})" if small else ""
    for key, g in goals.items():
        g["goal"] = GOALS[key]
        if not small or g["status"] == "not measured":
            continue
        if key in NATIONAL_ONLY:
            g["detail"] = f"needs a national-size run; at {size}: {g.get('detail', '')}"
            g["status"] = "not measured"
        else:
            g["note"] = f"measured at {size}, not national size"
    return goals


def markdown(results: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    m = results.get("machine") or {}
    ds = results.get("dataset") or {}
    lines: list[str] = []
    add = lines.append
    add(f"# asylumstats benchmark — {results.get('date', '')}")
    add("")
    if ds.get("scale") is not None:
        add(
            f"Scale {ds['scale']:g} of national size: {ds.get('cases', 0):,} cases, "
            f"{(ds.get('data_rows_count_txt') or 0):,} data rows in "
            f"{len(ds.get('tables') or [])} tables, {(ds.get('data_bytes') or 0) / 1e6:,.1f} MB "
            f"of text, zip {(ds.get('zip_bytes') or 0) / 1e6:,.1f} MB (synthetic, seed "
            f"{ds.get('seed')}; generated in "
            + ("an earlier run" if ds.get("reused") else f"{ds.get('generate_s') or 0:,.0f} s")
            + ")."
        )
    else:
        add(f"No release: {cell(ds.get('error', 'not run'), 600)}.")
    add("")
    add(f"Command: `{results.get('command', '')}`.")
    add("")
    add(
        f"Machine: {m.get('cpu_model')}, {m.get('logical_cores')} logical cores, "
        f"{m.get('ram_gib')} GiB RAM ({m.get('ram_available_gib_at_start')} GiB free at start, "
        f"load average {m.get('load_average_at_start')}); {m.get('os')}; Python "
        f"{m.get('python')}, duckdb {m.get('duckdb')}, pandas {m.get('pandas')}, pyarrow "
        f"{m.get('pyarrow')}, pyspark {m.get('pyspark')}; asylumstats {m.get('asylumstats')}."
    )
    add("")
    add(
        "Absolute times depend on the machine and on whatever else runs on it; the ratios "
        "compare methods measured in the same run, alternately, on the same files."
    )
    add("")
    # -- goals
    add("## Goals")
    add("")
    add("| goal | status | measured |")
    add("|---|---|---|")
    for g in (results.get("goals") or {}).values():
        detail = g.get("detail", "")
        if g.get("note"):
            detail += f" ({g['note']})"
        add(f"| {g['goal']} | **{g['status']}** | {cell(detail, 400)} |")
    add("")
    _ingest_md(results.get("ingest"), add)
    _queries_md(results.get("queries"), add)
    _web_md(results.get("web"), add)
    _spark_md(results.get("spark"), add)
    notes = results.get("notes") or []
    if notes:
        add("## Notes")
        add("")
        for n in notes:
            add(f"- {n}")
        add("")
    return "\n".join(lines)


def _section_error(section: dict[str, Any] | None) -> str | None:
    """The sentence to print instead of a section's table, or None when it has figures."""
    if section is None:
        return "Not run."
    if section.get("skipped"):
        text = str(section["skipped"])
        return text[:1].upper() + text[1:] + "."
    if section.get("error"):
        err = str(section["error"])
        err = err[len("not available: ") :] if err.startswith("not available: ") else err
        return f"Not available: {cell(err, 600)}."
    return None


#: Ingest table rows: (method key, totals key, the time ratio shown in its last column).
_INGEST_ROWS = (
    ("ours_folder", "ours", None),
    ("ours_zip", "ours", None),
    ("duckdb", "duckdb", "ours_folder/duckdb"),
    ("7z", None, "ours_zip/7z"),
    ("polars", "polars", "ours_folder/polars"),
    ("pandas", "pandas", "ours_folder/pandas"),
)

#: What each time ratio compares, for the list under the ingest table.
_RATIO_LABELS = {
    "ours_folder/duckdb": "ours (folder) ÷ DuckDB plain lossy load (goal ≤ 1.0×)",
    "ours_zip/duckdb": "ours (zip) ÷ DuckDB plain lossy load",
    "ours_zip/7z": "ours (zip) ÷ `7z x -so` of the same zip (goal ≤ 3×)",
    "ours_folder/7z": "ours (folder) ÷ `7z x -so`",
    "ours_folder/polars": "ours (folder) ÷ Polars scan_csv → Parquet",
    "ours_folder/pandas": "ours (folder) ÷ pandas, per MB (pandas reads one table)",
}


def _ratio(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}×"


def _ingest_md(ing: dict[str, Any] | None, add: Any) -> None:
    add("## Ingest")
    add("")
    err = _section_error(ing)
    if err or ing is None:
        add(err or "Not run.")
        add("")
        return
    totals = ing.get("totals") or {}
    ratios = ing.get("time_ratios") or {}
    add(
        "| method | input | MB | wall s | MB/s | M rows/s | peak RSS MiB | rows kept | "
        "lost vs Count.txt | misplaced | ours ÷ this, time |"
    )
    add("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for key, tkey, ratio_key in _INGEST_ROWS:
        mres = ing.get(key) or {}
        t = (totals.get(tkey) or {}) if tkey else {}
        kept = t.get("kept")
        if tkey == "ours":
            kept_s = (
                f"{kept:,} + {t.get('quarantined', 0):,} quarantined" if kept is not None else "—"
            )
        else:
            kept_s = _num(kept) if tkey else "n/a"
        if mres.get("wall_s") is None:
            add(
                f"| {mres.get('method', key)} | {mres.get('input', '')} | "
                f"{(mres.get('bytes') or 0) / 1e6:,.1f} | — | — | — | — | — | — | — | "
                f"{cell(mres.get('error') or 'not run')} |"
            )
            continue
        failed = mres.get("failed_runs") or 0
        label = mres["method"] + (
            f" ({failed} of {len(mres.get('runs') or [])} runs failed: "
            f"{cell(mres.get('error') or '', 80)})"
            if failed
            else ""
        )
        add(
            f"| {label} | {mres['input']} | {mres['bytes'] / 1e6:,.1f} | "
            f"{mres['wall_s']:,.2f} | {_num(mres['mb_per_s'])} | "
            f"{_num((mres['rows_per_s'] or 0) / 1e6, 2)} | {_num(mres['peak_rss_mib'], 0)} | "
            f"{kept_s} | {_num(t.get('lost'))} | {_num(t.get('misplaced'))} | "
            f"{_ratio(ratios.get(ratio_key)) if ratio_key else '—'} |"
        )
    add("")
    add(
        "Time ratios, ours ÷ the other (median of the per-round ratios, same run, same files; "
        "below 1 means ours took less time):"
    )
    add("")
    for k, v in ratios.items():
        add(f"- {_RATIO_LABELS.get(k, k)}: {_ratio(v)}")
    add("")
    _correctness_md(ing, add)


def _correctness_md(ing: dict[str, Any], add: Any) -> None:
    corr = ing.get("correctness") or {}
    ours = corr.get("ours") or {}
    others = {k: v if isinstance(v, dict) and "error" not in v else {} for k, v in corr.items()}
    duck, pola, pand = (others.get(k) or {} for k in ("duckdb", "polars", "pandas"))
    stems = list(ours) or [k for k in duck if isinstance(duck.get(k), dict)]
    if stems:
        add(
            "Rows per table (Count.txt; ours loaded / repaired / quarantined; DuckDB, Polars and "
            "pandas kept, lost, misplaced; DuckDB keys not among ours):"
        )
        add("")
        add(
            "| table | Count.txt | ours loaded | repaired | quarantined | ours lost | "
            "matches generator truth | DuckDB kept | DuckDB lost | DuckDB misplaced | "
            "DuckDB keys not in ours | Polars kept | Polars lost | Polars misplaced | "
            "pandas kept | pandas lost | pandas misplaced |"
        )
        add("|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        for stem in stems:
            o = ours.get(stem) or {}
            d, pl, p = (x.get(stem) or {} for x in (duck, pola, pand))
            truth = o.get("matches_truth")
            count = o.get("count_txt", d.get("count_txt"))
            add(
                f"| {stem} | {_num(count)} | {_num(o.get('loaded'))} | "
                f"{_num(o.get('repaired'))} | {_num(o.get('quarantined'))} | "
                f"{_num(o.get('lost'))} | {'—' if truth is None else ('yes' if truth else 'NO')} | "
                f"{_num(d.get('rows'))} | {_num(d.get('lost'))} | {_num(d.get('misplaced'))} | "
                f"{_num(d.get('keys_not_in_ours'))} | {_num(pl.get('rows'))} | "
                f"{_num(pl.get('lost'))} | {_num(pl.get('misplaced'))} | {_num(p.get('rows'))} | "
                f"{_num(p.get('lost'))} | {_num(p.get('misplaced'))} |"
            )
        add("")
    add(
        "*Misplaced*: a row kept with a value its column cannot hold (an id or date that does "
        "not parse, a code longer than its column or off its pattern) — what a tab-shifted row "
        "looks like once a reader silently keeps it. Ours never loads such a row (it is "
        "repaired or quarantined), so its counts are checked against the generator's truth "
        "instead. pandas reads only "
        f"{(ing.get('pandas') or {}).get('table', 'one table')}.csv (memory); DuckDB, Polars "
        "and ours every data table; ours also loads the lookups and builds the model tables. "
        "`7z x -so` only decompresses the zip (the lower bound of any reader of the zip)."
    )
    add("")


def _queries_md(q: dict[str, Any] | None, add: Any) -> None:
    add("## Queries")
    add("")
    err = _section_error(q)
    if err or q is None:
        add(err or "Not run.")
        add("")
        return
    add(
        f"In-process: library calls on one open DuckDB engine, first call then {q['runs']} "
        f"runs. CLI: `asylumstats … --format json` as a whole process, 1 warm-up then "
        f"{q['cli_runs']} runs. Subjects: {q.get('subjects')}."
    )
    add("")
    add("| query | in-process first ms | p50 ms | p95 ms | CLI p50 ms | CLI p95 ms |")
    add("|---|--:|--:|--:|--:|--:|")
    for e in q["queries"]:
        ip, cli = e["in_process"], e.get("cli") or {}
        if ip.get("error") and ip.get("p50_s") is None:
            add(f"| {e['label']} | {cell(ip['error'])} | | | | |")
            continue
        cli_p50 = (
            _ms(cli.get("p50_s")) if cli.get("p50_s") is not None else cell(cli.get("error") or "—")
        )
        add(
            f"| {e['label']} | {_ms(ip.get('first_s'))} | {_ms(ip.get('p50_s'))} | "
            f"{_ms(ip.get('p95_s'))} | {cli_p50} | {_ms(cli.get('p95_s'))} |"
        )
    for v in (q.get("startup") or {}).values():
        if v.get("p50_s") is None:
            add(f"| bare start-up: `{v['label']}` | | | | {cell(v.get('error') or '—')} | |")
        else:
            add(
                f"| bare start-up: `{v['label']}` | | | | {_ms(v['p50_s'])} | "
                f"{_ms(v.get('p95_s'))} |"
            )
    add("")


def _web_md(w: dict[str, Any] | None, add: Any) -> None:
    add("## Web")
    add("")
    err = _section_error(w)
    if err or w is None:
        add(err or "Not run.")
        add("")
        return
    levels = ", ".join(str(c) for c in w.get("concurrency") or [])
    add(
        f"`{w.get('server', 'uvicorn')}` on {w['host']} (started by the benchmark, stopped at "
        f"the end; start-up {w.get('startup_s', 0):.1f} s); {w['requests']} requests per "
        "phase from httpx clients on the same machine. *Sequential*: one at a time over "
        "distinct URLs (the first pass misses the app's result cache). *Concurrent*: "
        f"{levels} clients, each on its own connection, over the same URL sequence (those "
        "the sequential phase asked are answered from the app's result cache)."
    )
    add("")
    add("| endpoint | phase | distinct URLs | p50 ms | p95 ms | max ms | req/s | errors |")
    add("|---|---|--:|--:|--:|--:|--:|--:|")
    for name, e in (w.get("endpoints") or {}).items():
        if "error" in e:
            add(f"| {name} | — | | | | | | {cell(e['error'])} |")
            continue
        phases = [("sequential", e["sequential"])] + [
            (f"{c['concurrency']} clients", c) for c in e.get("concurrent") or []
        ]
        for phase, s in phases:
            errors = str(s["errors"])
            if s["errors"] and s.get("error_examples"):
                errors += " (" + cell("; ".join(s["error_examples"]), 120) + ")"
            add(
                f"| {e['path']} | {phase} | {s['distinct_urls']} | {_ms(s['p50_s'])} | "
                f"{_ms(s['p95_s'])} | {_ms(s['max_s'])} | {_num(s['throughput_rps'])} | "
                f"{errors} |"
            )
    add("")


def _spark_md(s: dict[str, Any] | None, add: Any) -> None:
    add("## Spark")
    add("")
    err = _section_error(s)
    if err or s is None:
        add(err or "Not run.")
        add("")
        return
    sp, dd = s.get("spark") or {}, s.get("duckdb") or {}
    ratio = s.get("ratio_spark_over_duckdb")
    add(
        f"`{s['query']}` on Spark local mode (Parquet export {s.get('export_s', 0):.1f} s; "
        f"session start + model build {s.get('open_s', 0):.1f} s) against DuckDB, "
        f"first call then {s['runs']} runs."
    )
    add("")
    add("| engine | first ms | p50 ms | p95 ms | rows |")
    add("|---|--:|--:|--:|--:|")
    add(
        f"| DuckDB | {_ms(dd.get('first_s'))} | {_ms(dd.get('p50_s'))} | "
        f"{_ms(dd.get('p95_s'))} | {_num(s.get('rows'))} |"
    )
    add(
        f"| Spark local | {_ms(sp.get('first_s'))} | {_ms(sp.get('p50_s'))} | "
        f"{_ms(sp.get('p95_s'))} | {_num(s.get('spark_rows'))} |"
    )
    add("")
    add(
        f"Spark ÷ DuckDB (p50): {'—' if ratio is None else f'{ratio:,.1f}×'}; Spark child "
        f"process peak RSS {_num(s.get('peak_tree_rss_mib'), 0)} MiB (process tree)."
    )
    add("")
