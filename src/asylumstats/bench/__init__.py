"""Benchmarks at national scale against the tools people would use instead (``make bench``).

``python -m asylumstats.bench [--scale S | --cases N] [--cache DIR] [--skip-spark]
[--skip-web] [--repeat N] [--web-concurrency 32,64]``: ``dataset`` (generate, cache, unpack),
``ingest_bench`` (ours vs DuckDB, Polars and pandas, and ``7z x -so`` as the decompression
limit: whole processes, alternating, time ratios), ``queries`` (in-process, CLI and bare
start-up), ``web_bench`` (``asylumstats serve`` under loopback load at several concurrency
levels), ``spark_bench`` (Spark local vs DuckDB), ``report`` (the goals of issue 14,
Markdown), ``runner`` (the command). Kept import-light: ``baselines`` runs as a bare child
process.
"""
