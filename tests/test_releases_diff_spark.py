"""``diff --engine spark``: the same counts as DuckDB, from databases and from exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.spark


def test_spark_diff_equals_duckdb(tmp_path: Path, spark: Any) -> None:
    from asylumstats.engines.parquet import export_parquet
    from asylumstats.ingest import ingest_release
    from asylumstats.releases.diff import diff_releases
    from asylumstats.sample.release import generate_release

    dbs = []
    for day, seed in (("2026-07-01", 1), ("2026-08-01", 2)):
        z = tmp_path / f"{day}.zip"
        generate_release(z, 300, seed=seed, release_date=day)
        ingest_release(z, tmp_path / f"{day}.duckdb", progress=False)
        dbs.append(tmp_path / f"{day}.duckdb")
    duck = diff_releases(dbs[0], dbs[1])
    export_parquet(dbs[0], tmp_path / "old")
    export_parquet(dbs[1], tmp_path / "new")
    on_spark = diff_releases(tmp_path / "old", tmp_path / "new", engine="spark")
    assert on_spark["old"] == duck["old"] and on_spark["new"] == duck["new"]
    assert on_spark["tables"] == duck["tables"]
    assert len(on_spark["metrics"]) == len(duck["metrics"]) > 0
    for s, d in zip(on_spark["metrics"], duck["metrics"], strict=True):
        assert {k: v for k, v in s.items() if "rate" not in k and k != "change"} == {
            k: v for k, v in d.items() if "rate" not in k and k != "change"
        }
        assert s["change"] == pytest.approx(d["change"]) if d["change"] is not None else True
