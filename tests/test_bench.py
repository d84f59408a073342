"""Smoke tests of ``python -m asylumstats.bench`` at a tiny size, plus its measuring helpers,
its goals (computed from made-up results, exact strings) and its anchors' skip reasons.

The end-to-end runs use ``--cases 3000``: one run (generation, our two ingests plus DuckDB,
7z, Polars and pandas, eight queries in-process and as CLI processes, the web load) already
takes about a minute on 2 shared cores. No timing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from asylumstats.bench import ingest_bench
from asylumstats.bench.dataset import cache_key, prepare, scale_for
from asylumstats.bench.ingest_bench import anchor_skips, check_table, run_ingest, time_ratios
from asylumstats.bench.measure import ProcessRun, percentile, run_process, time_calls
from asylumstats.bench.report import GOALS, evaluate_goals, markdown
from asylumstats.bench.runner import parse_args
from asylumstats.ingest.tables import ALL_DATA_TABLES, APPEALS, ATTORNEYS, CASES

CASES_N = "3000"
HEADINGS = ("## Goals", "## Ingest", "## Queries", "## Web", "## Spark")


def _bench(tmp: Path, *extra: str, timeout: float = 900) -> tuple[dict[str, Any], str]:
    argv = [
        sys.executable,
        "-m",
        "asylumstats.bench",
        "--cases",
        CASES_N,
        "--seed",
        "3",
        "--cache",
        str(tmp / "cache"),
        "--out",
        str(tmp / "results"),
        "--runs",
        "2",
        "--cli-runs",
        "1",
        "--web-requests",
        "10",
        "--web-concurrency",
        "2,3",
        "--spark-runs",
        "1",
        *extra,
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = sorted((tmp / "results").glob("*.json"), key=lambda f: f.stat().st_mtime_ns)
    assert files, proc.stderr[-3000:]
    results = json.loads(files[-1].read_text())
    md = Path(results["files"]["markdown"]).read_text()
    assert md.strip() in proc.stdout  # the table is printed too
    return results, md


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.mark.slow
def test_bench_smoke_reports_every_section(bench_dir: Path) -> None:
    results, md = _bench(bench_dir, "--skip-spark")
    for heading in HEADINGS:
        assert heading in md
    for key in ("machine", "dataset", "ingest", "queries", "web", "spark", "goals"):
        assert key in results
    m = results["machine"]
    assert m["logical_cores"] and m["ram_gib"] and m["python"] and m["duckdb"]
    ds = results["dataset"]
    assert ds["cases"] == 3000 and Path(ds["zip_path"]).is_file()
    assert [t["stem"] for t in ds["tables"]] == [t.stem for t in ALL_DATA_TABLES]
    ing = results["ingest"]
    skips = anchor_skips()
    for method in ("ours_folder", "ours_zip", "duckdb", "7z", "polars", "pandas"):
        if method in skips:  # an anchor whose tool is missing says so
            assert ing[method]["error"] == skips[method] and ing[method]["skipped"]
            continue
        assert ing[method]["wall_s"] is not None, ing[method]
        assert ing[method]["peak_rss_mib"] > 0
    assert set(ing["time_ratios"]) == {
        "ours_folder/duckdb",
        "ours_zip/duckdb",
        "ours_zip/7z",
        "ours_folder/7z",
        "ours_folder/polars",
        "ours_folder/pandas",
    }
    assert ing["time_ratios"]["ours_folder/duckdb"] > 0
    totals = ing["totals"]
    assert totals["ours"]["lost"] == 0
    assert totals["ours"]["tables_matching_truth"] == len(ALL_DATA_TABLES)
    assert totals["duckdb"]["kept"] > 0 and totals["pandas"]["kept"] > 0
    # Every data table is checked in DuckDB's output; codes as keys match ours too.
    duck = ing["correctness"]["duckdb"]
    assert set(duck) == {t.stem for t in ALL_DATA_TABLES}
    assert duck["tbl_EOIR_Attorney"]["keys_not_in_ours"] == 0
    if "polars" not in skips:
        assert set(ing["correctness"]["polars"]) == set(duck)
    queries = results["queries"]["queries"]
    assert {q["key"] for q in queries} >= {
        "rate_judge",
        "rate_court_fy",
        "rate_national_trend",
        "judge_profile",
        "appeals_judge",
        "backlog_court",
    }
    for q in queries:  # measured, or reported with a reason
        assert q["in_process"]["p50_s"] is not None or q["in_process"]["error"]
        assert q["cli"]["p50_s"] is not None or q["cli"]["error"]
    assert results["queries"]["queries"][0]["in_process"]["p50_s"] is not None
    web = results["web"]
    assert "endpoints" in web or web.get("error"), web
    if "endpoints" in web:
        assert web["endpoints"]["api_rates"]["sequential"]["errors"] == 0
        levels = [c["concurrency"] for c in web["endpoints"]["api_rates"]["concurrent"]]
        assert levels == [2, 3]
    startup = results["queries"]["startup"]
    assert startup["import"]["p50_s"] is not None
    assert startup["version"]["p50_s"] is not None or startup["version"]["error"]
    assert results["spark"] == {"skipped": "skipped (--skip-spark)"}
    assert set(results["goals"]) == set(GOALS)
    for g in results["goals"].values():
        assert g["status"] in ("met", "missed", "not measured")
    # Below national size the national-only goals are not judged; no 32/64-client phase ran.
    for key in ("national_zip", "ingest_rss", "web_p95", "web_errors", "spark"):
        assert results["goals"][key]["status"] == "not measured", key
    assert Path(ds["folder"]).is_relative_to(bench_dir / "cache")


@pytest.mark.slow
@pytest.mark.spark
def test_bench_smoke_spark(bench_dir: Path) -> None:
    pytest.importorskip("pyspark")
    # Reuses the release and database of the first smoke test when it ran (else builds them).
    results, md = _bench(bench_dir, "--skip-web", "--skip-ingest", "--cli-runs", "0")
    spark = results["spark"]
    assert "## Spark" in md
    assert spark.get("spark", {}).get("p50_s") is not None or spark.get("error"), spark
    if "spark" in spark:
        assert spark["spark_rows"] == spark["rows"]
        assert spark["ratio_spark_over_duckdb"] > 0


def test_markdown_with_nothing_available() -> None:
    results: dict[str, Any] = {
        "date": "2026-01-01",
        "dataset": {"error": "not available: the synthetic release generator is not available"},
        "ingest": {"error": "not available: no release (see dataset)"},
        "queries": {"error": "not available: no release (see dataset)"},
        "web": {"skipped": "skipped (--skip-web)"},
        "spark": {"error": "not available: no release (see dataset)"},
    }
    results["goals"] = evaluate_goals(results)
    assert {g["status"] for g in results["goals"].values()} == {"not measured"}
    md = markdown(results)
    for heading in HEADINGS:
        assert heading in md
    assert md.count("Not available") == 3
    assert "Skipped (--skip-web)." in md


def _run(wall_s: float, returncode: int = 0) -> ProcessRun:
    return ProcessRun(["x"], returncode, wall_s, 100.0, 100.0)


def _national_results() -> dict[str, Any]:
    """Made-up results of a national-size run (issue 14's figures where it gives them)."""

    def phase(clients: int, p95_s: float, errors: int) -> dict[str, Any]:
        return {"concurrency": clients, "p95_s": p95_s, "errors": errors, "requests": 200}

    return {
        "dataset": {"scale": 1.0, "cases": 12_700_000},
        "ingest": {
            "time_ratios": {"ours_folder/duckdb": 1.24, "ours_zip/7z": 2.5},
            "totals": {"ours": {"lost": 0}},
            "ours_folder": {"peak_rss_mib": 1400.0},
            "ours_zip": {"peak_rss_mib": 2568.0, "wall_s": 321.0},
            "7z": {"wall_s": 128.4},
        },
        "queries": {
            "startup": {
                "version": {"label": "asylumstats --version", "p50_s": 0.12},
                "import": {"label": "python -c 'import asylumstats'", "p50_s": 0.09},
            },
            "queries": [
                {
                    "key": "rate_judge",
                    "kind": "rate",
                    "label": "rate --by judge",
                    "in_process": {"p95_s": 0.1},
                    "cli": {"p50_s": 0.25},
                },
                {
                    "key": "rate_court_fy",
                    "kind": "rate",
                    "label": "rate --by court,fiscal_year",
                    "in_process": {"p95_s": 0.15},
                    "cli": {"p50_s": 0.54},
                },
                {
                    "key": "appeals_judge",
                    "kind": "other",
                    "label": "appeals --by judge",
                    "in_process": {"p95_s": 0.531},
                },
                {
                    "key": "backlog_court",
                    "kind": "other",
                    "label": "backlog --by court",
                    "in_process": {"p95_s": 0.15},
                },
                {  # not one of the goal's queries, however slow
                    "key": "judge_profile",
                    "kind": "profile",
                    "label": "judge profile",
                    "in_process": {"p95_s": 9.0},
                },
            ],
        },
        "web": {
            "endpoints": {
                "judge_page": {
                    "path": "/judges/{code}",
                    "concurrent": [phase(32, 0.25, 0), phase(64, 0.9, 3)],
                },
                "api_rates": {
                    "path": "/api/rates",
                    "concurrent": [phase(32, 0.29, 0), phase(64, 0.5, 0)],
                },
            }
        },
        "spark": {"spark": {"p50_s": 0.74}, "duckdb": {"p50_s": 0.028}},
    }


def test_goals_of_issue_14_met_and_missed_by_how_much() -> None:
    goals = evaluate_goals(_national_results())
    assert list(goals) == list(GOALS)
    got = {k: (g["status"], g.get("detail")) for k, g in goals.items()}
    assert got == {
        "ingest_vs_duckdb": (
            "missed",
            "missed by 0.24×: ours (folder) ÷ DuckDB lossy, time 1.24× > 1× "
            "(needs 1.24× less time); 0 rows lost",
        ),
        "ingest_vs_7z": ("met", "ours (zip) ÷ `7z x -so`, time 2.50× ≤ 3×"),
        "national_zip": ("missed", "missed by 81 s: zip to queryable 321 s > 240 s"),
        "ingest_rss": ("missed", "missed by 1,032 MiB: 2,568 MiB > 1,536 MiB"),
        "rate_cli": (
            "missed",
            "missed by 240 ms: slowest median process (rate --by court,fiscal_year) 540 ms > "
            "300 ms (1.8× the target); bare start-up (median): asylumstats --version 120 ms, "
            "python -c 'import asylumstats' 90 ms",
        ),
        "appeals_backlog": (
            "missed",
            "missed by 331 ms: slowest p95 in-process (appeals --by judge) 531 ms > 200 ms "
            "(2.7× the target)",
        ),
        "web_p95": ("met", "slowest p95 at 32 clients (/api/rates) 290 ms ≤ 300 ms"),
        "web_errors": ("missed", "missed by 3 errors: 3 errors in 400 requests at 64 clients"),
        "spark": ("met", "reported: Spark p50 740 ms, DuckDB 28 ms (26.4×)"),
    }
    assert not any("note" in g for g in goals.values())  # national size: no scale note


def test_goals_lost_rows_miss_even_when_fast_and_small_runs_are_noted() -> None:
    results = _national_results()
    results["dataset"] = {"scale": scale_for(1_000_000), "cases": 1_000_000}
    results["ingest"]["time_ratios"]["ours_folder/duckdb"] = 0.9
    results["ingest"]["totals"]["ours"]["lost"] = 2
    goals = evaluate_goals(results)
    assert goals["ingest_vs_duckdb"]["status"] == "missed"
    assert goals["ingest_vs_duckdb"]["detail"] == (
        "ours (folder) ÷ DuckDB lossy, time 0.90× ≤ 1×; 2 rows lost (missed)"
    )
    assert goals["ingest_vs_duckdb"]["note"] == (
        "measured at 1,000,000 cases (scale 0.0787402), not national size"
    )
    # National-only goals give the figure but are not judged below national size.
    assert goals["national_zip"]["status"] == "not measured"
    assert goals["national_zip"]["detail"] == (
        "needs a national-size run; at 1,000,000 cases (scale 0.0787402): "
        "missed by 81 s: zip to queryable 321 s > 240 s"
    )
    assert goals["ingest_rss"]["status"] == "not measured"
    assert "note" not in goals["ingest_rss"]


def test_goals_with_skipped_anchors_and_no_load_levels() -> None:
    reason = "skipped: 7-Zip is not installed (none of 7z, 7zz, 7za on PATH)"
    results: dict[str, Any] = {
        "dataset": {"scale": 1.0, "cases": 12_700_000},
        "ingest": {"time_ratios": {"ours_zip/7z": None}, "7z": {"error": reason, "skipped": True}},
        "web": {"endpoints": {"api_rates": {"path": "/api/rates", "concurrent": []}}},
        "spark": {"skipped": "skipped (--skip-spark)"},
    }
    goals = evaluate_goals(results)
    assert goals["ingest_vs_7z"] == {
        "status": "not measured",
        "value": None,
        "target": 3.0,
        "detail": reason,
        "goal": GOALS["ingest_vs_7z"],
    }
    assert goals["web_p95"]["status"] == goals["web_errors"]["status"] == "not measured"
    assert goals["spark"]["detail"] == "skipped (--skip-spark)"
    assert goals["ingest_vs_duckdb"]["status"] == "not measured"


def test_time_ratios_are_medians_of_per_round_ratios() -> None:
    runs = {
        "ours_folder": [_run(10.0), _run(12.0), _run(30.0)],
        "ours_zip": [_run(12.0), _run(13.0), _run(14.0)],
        "duckdb": [_run(8.0), _run(10.0), _run(10.0)],
        "7z": [_run(4.0), _run(4.0), _run(7.0, returncode=1)],  # a failed round is left out
        "polars": [],
        "pandas": [_run(1.0), _run(1.0), _run(1.0)],
    }
    bytes_by = {k: 1000 for k in runs}
    bytes_by["pandas"] = 250  # a quarter of the text: compared per MB
    got = time_ratios(runs, bytes_by)
    assert got["ours_folder/duckdb"] == pytest.approx(1.25)  # 1.25, 1.2, 3.0
    assert got["ours_zip/duckdb"] == pytest.approx(1.4)  # 1.5, 1.3, 1.4
    assert got["ours_zip/7z"] == pytest.approx(3.125)  # 3.0, 3.25
    assert got["ours_folder/polars"] is None
    assert got["ours_folder/pandas"] == pytest.approx(3.0)  # 2.5, 3.0, 7.5


def test_anchors_skip_with_reasons_when_their_tools_are_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(ingest_bench.shutil, "which", lambda name: None)
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "polars" else real(name, *a)
    )
    assert anchor_skips() == {
        "7z": "skipped: 7-Zip is not installed (none of 7z, 7zz, 7za on PATH)",
        "polars": "skipped: polars is not installed (pip install polars, or the dev extra)",
    }


@pytest.mark.slow
def test_run_ingest_skips_missing_anchors_and_runs_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reasons = {"7z": "skipped: no 7z here", "polars": "skipped: no polars here"}
    monkeypatch.setattr(ingest_bench, "anchor_skips", lambda: dict(reasons))
    ds = prepare(tmp_path / "cache", scale_for(300), 2, log=lambda _: None, cases=300)
    assert Path(ds.folder).name == cache_key(scale_for(300), 2, 300)
    assert Path(ds.folder).name.startswith("cases300-seed2-")
    res = run_ingest(ds, tmp_path / "work", 1, 8.0, log=lambda _: None)
    for key, why in reasons.items():
        assert res[key]["error"] == why and res[key]["skipped"] and res[key]["runs"] == []
        assert res["correctness"].get(key) is None
    assert res["time_ratios"]["ours_zip/7z"] is None
    assert res["time_ratios"]["ours_folder/polars"] is None
    assert res["time_ratios"]["ours_folder/duckdb"] > 0
    assert res["totals"]["ours"]["lost"] == 0
    assert res["totals"]["duckdb"]["kept"] == ds.data_rows - res["totals"]["duckdb"]["lost"]
    md = markdown({"ingest": res, "goals": {}})
    assert "skipped: no 7z here" in md and "skipped: no polars here" in md


def test_misplaced_rows_are_the_shifted_ones() -> None:
    con = duckdb.connect()
    names = [c.name for c in CASES.columns]
    con.execute("CREATE TABLE t (" + ", ".join(f'"{n}" VARCHAR' for n in names) + ")")
    good = {n: "" for n in names}
    good.update(IDNCASE="1", NAT="MX", E_28_DATE="2024-09-12 00:00:00.000", C_ASY_TYPE="E")
    shifted = dict(good, IDNCASE="2", E_28_DATE="NYC", LANG="SPANISH")  # values moved right
    nulls = dict(good, IDNCASE="3", NAT="N/A", E_28_DATE="0", RELEASE_MONTH="00")
    for row in (good, shifted, nulls):
        con.execute(
            f"INSERT INTO t VALUES ({', '.join('?' for _ in names)})", [row[n] for n in names]
        )
    result = check_table(con, "t", CASES, None)
    assert result["rows"] == 3
    assert result["misplaced"] == 1


def test_code_keys_are_matched_as_text() -> None:
    """A key that is a code, not a number (the attorney id), is found among ours as text."""
    con = duckdb.connect()
    names = [c.name for c in ATTORNEYS.columns]
    con.execute("CREATE TABLE b (" + ", ".join(f'"{n}" VARCHAR' for n in names) + ")")
    con.execute("ATTACH ':memory:' AS ours")
    con.execute('CREATE TABLE ours.eoir_attorneys ("eoirattorneyid" VARCHAR)')
    con.execute("INSERT INTO ours.eoir_attorneys VALUES ('00000001-5A1E'), ('7')")
    for key in ("00000001-5A1E ", "00000002-5A1E", "7"):
        con.execute(f"INSERT INTO b VALUES ({', '.join('?' for _ in names)})", [key] + [""] * 6)
    result = check_table(con, "b", ATTORNEYS, "ours")
    assert result["rows"] == 3 and result["keys_not_in_ours"] == 1


def test_blank_reference_ids_are_not_misplaced() -> None:
    con = duckdb.connect()
    names = [c.name for c in APPEALS.columns]
    con.execute("CREATE TABLE a (" + ", ".join(f'"{n}" VARCHAR' for n in names) + ")")
    rows = [
        {"idnAppeal": "1", "idncase": "5", "idnProceeding": ""},  # no proceeding: a value
        {"idnAppeal": "", "idncase": "5", "idnProceeding": "7"},  # no key: misplaced
    ]
    for r in rows:
        con.execute(
            f"INSERT INTO a VALUES ({', '.join('?' for _ in names)})",
            [r.get(n, "") for n in names],
        )
    assert check_table(con, "a", APPEALS, None)["misplaced"] == 1


def test_run_process_measures_the_child() -> None:
    code = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); print('ok')"
    r = run_process([sys.executable, "-c", code])
    assert r.ok() and r.stdout.strip() == "ok"
    assert r.peak_rss_mib >= 190
    assert r.wall_s > 0
    bad = run_process([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert bad.returncode == 3


def test_run_process_peak_is_the_childs_not_the_benchmarks() -> None:
    """Linux carries the high-water mark across exec: a child forked from a big benchmark
    process would report the benchmark's peak. The launcher keeps it out."""
    big = bytearray(400 * 1024 * 1024)
    big[::4096] = b"x" * len(big[::4096])  # touched: resident
    r = run_process([sys.executable, "-c", "print('ok')"])
    assert r.ok() and r.stdout.strip() == "ok"
    assert 0 < r.peak_rss_mib < 100
    del big
    missing = run_process(["no-such-tool-in-the-bench"])
    assert missing.returncode == 1 and "FileNotFoundError" in missing.stderr


def test_run_process_timeout_kills() -> None:
    r = run_process([sys.executable, "-c", "import time; time.sleep(30)"], timeout=1.0)
    assert r.returncode != 0 and r.wall_s < 20


def test_percentile_and_time_calls() -> None:
    assert percentile([], 0.5) is None
    assert percentile([3.0], 0.95) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    assert percentile([0.0, 10.0], 0.95) == pytest.approx(9.5)
    t = time_calls(lambda: None, 4)
    assert t.first_s is not None and len(t.samples) == 4 and t.error is None

    def boom() -> None:
        raise RuntimeError("x")

    assert time_calls(boom, 3).error == "RuntimeError: x"


def test_cli_arguments() -> None:
    args = parse_args(
        ["--scale", "0.1", "--skip-spark", "--skip-web", "--repeat", "2", "--cache", "cache-dir"]
    )
    assert args.scale == 0.1 and args.skip_spark and args.skip_web and args.repeat == 2
    assert args.cache == Path("cache-dir") and args.cases is None
    defaults = parse_args([])
    assert defaults.cache == Path("bench/cache")
    assert defaults.web_concurrency == (32, 64)
    assert parse_args(["--web-concurrency", "8"]).web_concurrency == (8,)
    assert parse_args(["--web-concurrency", "4,16,64"]).web_concurrency == (4, 16, 64)
    million = parse_args(["--cases", "1000000"])
    assert million.cases == 1_000_000 and round(million.scale, 5) == 0.07874
    for bad in (
        ["--scale", "0"],
        ["--cases", "0"],
        ["--cases", "10", "--scale", "0.1"],
        ["--web-concurrency", "0"],
        ["--web-concurrency", "a,b"],
    ):
        with pytest.raises(SystemExit):
            parse_args(bad)


def test_cache_key_by_scale_or_cases() -> None:
    from asylumstats import __version__

    assert cache_key(0.1, 1) == f"scale0.1-seed1-v{__version__}"
    assert cache_key(scale_for(1_000_000), 1, 1_000_000) == f"cases1000000-seed1-v{__version__}"


def test_module_entry_point_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "asylumstats.bench", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    for flag in ("--scale", "--cases", "--cache", "--skip-spark", "--skip-web", "--repeat"):
        assert flag in proc.stdout


def test_results_name_files_relative_to_the_checkout(tmp_path: Path) -> None:
    from asylumstats.bench.runner import relative_to_checkout

    inside = tmp_path / "bench" / "cache" / "release.zip"
    text = json.dumps({"zip": str(inside), "other": "/elsewhere/x.zip"})
    got = json.loads(relative_to_checkout(text, tmp_path))
    assert got == {"zip": "bench/cache/release.zip", "other": "/elsewhere/x.zip"}
