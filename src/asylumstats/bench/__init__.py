"""Benchmarks at national scale against the tools people would use instead (``make bench``).

``python -m asylumstats.bench [--scale S] [--cache DIR] [--skip-spark] [--skip-web]
[--repeat N]``: ``dataset`` (generate, cache, unpack), ``ingest_bench`` (ours vs DuckDB and
pandas, whole processes, paired), ``queries`` (in-process and CLI), ``web_bench`` (loopback
load on uvicorn), ``spark_bench`` (Spark local vs DuckDB), ``report`` (goals, Markdown),
``runner`` (the command). Kept import-light: ``baselines`` runs as a bare child process.
"""
