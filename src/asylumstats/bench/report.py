"""The benchmark's goals (met / missed by how much) and its Markdown report."""

from __future__ import annotations

from typing import Any

#: The goals of issue #6.
GOALS: dict[str, str] = {
    "ingest_throughput": "lossless ingest at ≥ 0.5× DuckDB's lossy throughput, zero rows lost",
    "ingest_rss": "peak RSS ≤ 3 GB during ingest",
    "rate_latency": "every `rate` query ≤ 1 s at national size",
    "profile_latency": "every profile ≤ 300 ms at national size",
    "judge_page": "judge page p95 ≤ 100 ms server-side",
}
RATIO_TARGET = 0.5
RSS_TARGET_MIB = 3 * 1024
RATE_TARGET_S = 1.0
PROFILE_TARGET_S = 0.3
PAGE_TARGET_S = 0.1


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


def _time_goal(value: float | None, target: float, what: str) -> dict[str, Any]:
    if value is None:
        return {"status": "not measured", "value": None, "target": target}
    if value <= target:
        return {
            "status": "met",
            "value": value,
            "target": target,
            "detail": f"{what} {_ms(value)} ms ≤ {_ms(target)} ms",
        }
    return {
        "status": "missed",
        "value": value,
        "target": target,
        "detail": f"missed by {_ms(value - target)} ms: {what} {_ms(value)} ms > "
        f"{_ms(target)} ms ({value / target:.1f}× the target)",
    }


def evaluate_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each goal: status (met / missed / not measured), value, target, detail."""
    goals: dict[str, dict[str, Any]] = {}
    ing = results.get("ingest") or {}
    ratio = (ing.get("ratios") or {}).get("ours_folder/duckdb")
    lost = ((ing.get("totals") or {}).get("ours") or {}).get("lost")
    if ratio is None or lost is None:
        goals["ingest_throughput"] = {
            "status": "not measured",
            "value": ratio,
            "target": RATIO_TARGET,
        }
    else:
        ok = ratio >= RATIO_TARGET and lost == 0
        parts = [f"{ratio:.2f}× DuckDB's throughput on the same unpacked files"]
        if ratio < RATIO_TARGET:
            parts.append(
                f"missed: needs {RATIO_TARGET / ratio:.2f}× faster to reach {RATIO_TARGET}×"
            )
        parts.append(f"{lost:,} rows lost" + ("" if lost == 0 else " (missed)"))
        zr = (ing.get("ratios") or {}).get("ours_zip/duckdb")
        if zr is not None:
            parts.append(f"from the zip: {zr:.2f}×")
        goals["ingest_throughput"] = {
            "status": "met" if ok else "missed",
            "value": ratio,
            "target": RATIO_TARGET,
            "lost": lost,
            "detail": "; ".join(parts),
        }
    rss = [
        m.get("peak_rss_mib")
        for m in (ing.get("ours_folder"), ing.get("ours_zip"))
        if m and m.get("peak_rss_mib") is not None
    ]
    if not rss:
        goals["ingest_rss"] = {"status": "not measured", "value": None, "target": RSS_TARGET_MIB}
    else:
        peak = max(rss)
        ok = peak <= RSS_TARGET_MIB
        detail = (
            f"{peak:,.0f} MiB ≤ {RSS_TARGET_MIB:,} MiB"
            if ok
            else f"missed by {peak - RSS_TARGET_MIB:,.0f} MiB: {peak:,.0f} MiB > "
            f"{RSS_TARGET_MIB:,} MiB"
        )
        goals["ingest_rss"] = {
            "status": "met" if ok else "missed",
            "value": peak,
            "target": RSS_TARGET_MIB,
            "detail": detail,
        }
    queries = (results.get("queries") or {}).get("queries") or []
    for kind, key, target in (
        ("rate", "rate_latency", RATE_TARGET_S),
        ("profile", "profile_latency", PROFILE_TARGET_S),
    ):
        vals = [
            (q["in_process"]["p95_s"], q["label"])
            for q in queries
            if q["kind"] == kind and q["in_process"].get("p95_s") is not None
        ]
        if not vals:
            goals[key] = _time_goal(None, target, "")
            continue
        worst, label = max(vals)
        goals[key] = _time_goal(worst, target, f"slowest p95 in-process ({label})")
    page = ((results.get("web") or {}).get("endpoints") or {}).get("judge_page") or {}
    seq = page.get("sequential") or {}
    goals["judge_page"] = _time_goal(
        seq.get("p95_s"), PAGE_TARGET_S, "p95 (sequential, loopback client)"
    )
    if page.get("html") is False and "detail" in goals["judge_page"]:
        goals["judge_page"]["detail"] += " — JSON profile /api/judges/{code}; no HTML page yet"
    scale = (results.get("dataset") or {}).get("scale")
    for key, g in goals.items():
        g["goal"] = GOALS[key]
        if (
            key in ("rate_latency", "profile_latency", "judge_page", "ingest_rss")
            and scale is not None
            and scale < 1
            and g["status"] != "not measured"
        ):
            g["note"] = f"measured at scale {scale:g}, not national size"
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


def _ingest_md(ing: dict[str, Any] | None, add: Any) -> None:
    add("## Ingest")
    add("")
    err = _section_error(ing)
    if err or ing is None:
        add(err or "Not run.")
        add("")
        return
    totals = ing.get("totals") or {}
    ratios = ing.get("ratios") or {}
    add(
        "| method | input | MB | wall s | MB/s | M rows/s | peak RSS MiB | rows kept | "
        "lost vs Count.txt | misplaced | ours (folder) ÷ this, MB/s |"
    )
    add("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    rows = (
        ("ours_folder", "ours"),
        ("ours_zip", "ours"),
        ("duckdb", "duckdb"),
        ("pandas", "pandas"),
    )
    ours_tp = (ing.get("ours_folder") or {}).get("mb_per_s")
    for key, tkey in rows:
        mres = ing.get(key) or {}
        t = totals.get(tkey) or {}
        kept = t.get("kept")
        if key == "ours_zip" or key == "ours_folder":
            kept_s = (
                f"{kept:,} + {t.get('quarantined', 0):,} quarantined" if kept is not None else "—"
            )
        else:
            kept_s = _num(kept)
        if mres.get("wall_s") is None:
            add(
                f"| {mres.get('method', key)} | {mres.get('input', '')} | "
                f"{(mres.get('bytes') or 0) / 1e6:,.1f} | — | — | — | — | — | — | — | "
                f"{cell(mres.get('error') or 'not run')} |"
            )
            continue
        rel = (
            "1.00"
            if key == "ours_folder"
            else (f"{ours_tp / mres['mb_per_s']:.2f}" if ours_tp and mres.get("mb_per_s") else "—")
        )
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
            f"{kept_s} | {_num(t.get('lost'))} | {_num(t.get('misplaced'))} | {rel} |"
        )
    add("")
    add(
        "Throughput ratios, ours ÷ baseline (median of the per-round ratios; > 1 means ours is "
        "faster):"
    )
    add("")
    for k, v in ratios.items():
        add(f"- {k}: {'—' if v is None else f'{v:.2f}×'}")
    add("")
    corr = ing.get("correctness") or {}
    ours = corr.get("ours") or {}
    duck = corr.get("duckdb") or {}
    pand = corr.get("pandas") or {}
    stems = list(ours) or [
        k for k in (duck if isinstance(duck, dict) else {}) if isinstance(duck.get(k), dict)
    ]
    if stems:
        add(
            "Rows per table (Count.txt; ours loaded / repaired / quarantined; DuckDB and pandas "
            "kept, lost, misplaced, keys not among ours):"
        )
        add("")
        add(
            "| table | Count.txt | ours loaded | repaired | quarantined | ours lost | "
            "matches generator truth | DuckDB kept | DuckDB lost | DuckDB misplaced | "
            "DuckDB keys not in ours | pandas kept | pandas lost | pandas misplaced |"
        )
        add("|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|")
        for stem in stems:
            o = ours.get(stem) or {}
            d = (duck.get(stem) or {}) if isinstance(duck, dict) else {}
            p = (pand.get(stem) or {}) if isinstance(pand, dict) else {}
            truth = o.get("matches_truth")
            count = o.get("count_txt", d.get("count_txt"))
            add(
                f"| {stem} | {_num(count)} | {_num(o.get('loaded'))} | "
                f"{_num(o.get('repaired'))} | {_num(o.get('quarantined'))} | "
                f"{_num(o.get('lost'))} | {'—' if truth is None else ('yes' if truth else 'NO')} | "
                f"{_num(d.get('rows'))} | {_num(d.get('lost'))} | {_num(d.get('misplaced'))} | "
                f"{_num(d.get('keys_not_in_ours'))} | {_num(p.get('rows'))} | "
                f"{_num(p.get('lost'))} | {_num(p.get('misplaced'))} |"
            )
        add("")
    add(
        "*Misplaced*: a row kept with a value its column cannot hold (an id or date that does "
        "not parse, a code longer than its column or off its pattern) — what a tab-shifted row "
        "looks like once a reader silently keeps it. Ours never loads such a row (it is "
        "repaired or quarantined), so its counts are checked against the generator's truth "
        "instead. pandas reads only "
        f"{(ing.get('pandas') or {}).get('table', 'one table')}.csv (memory), DuckDB and ours "
        "every data table; ours also loads the lookups and builds the model tables."
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
    add("")


def _web_md(w: dict[str, Any] | None, add: Any) -> None:
    add("## Web")
    add("")
    err = _section_error(w)
    if err or w is None:
        add(err or "Not run.")
        add("")
        return
    add(
        f"uvicorn on {w['host']} (started by the benchmark, stopped at the end; start-up "
        f"{w.get('startup_s', 0):.1f} s); {w['requests']} requests per phase from an httpx "
        "client on the same machine. *Sequential*: one at a time over distinct URLs (first "
        "pass misses the app's result cache). *Concurrent*: "
        f"{w['concurrency']} clients over the same URL sequence, so those the sequential phase "
        "already asked are answered from the cache: throughput."
    )
    add("")
    add("| endpoint | phase | distinct URLs | p50 ms | p95 ms | max ms | req/s | errors |")
    add("|---|---|--:|--:|--:|--:|--:|--:|")
    for name, e in (w.get("endpoints") or {}).items():
        if "error" in e:
            add(f"| {name} | — | | | | | | {cell(e['error'])} |")
            continue
        for phase in ("sequential", "concurrent"):
            s = e[phase]
            add(
                f"| {e['path']} | {phase} | {s['distinct_urls']} | {_ms(s['p50_s'])} | "
                f"{_ms(s['p95_s'])} | {_ms(s['max_s'])} | {_num(s['throughput_rps'])} | "
                f"{s['errors']} |"
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
