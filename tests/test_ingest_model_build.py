"""The model step of ingest: built under the bounded memory pool, retried without the bound."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from asylumstats import model
from asylumstats.ingest import ingest_release
from ingest_fixtures import write_release


def test_model_build_retried_without_memory_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_build = model.build
    limits: list[str] = []

    def flaky_build(con: Any) -> None:
        limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        if len(limits) == 1:
            raise duckdb.OutOfMemoryException("could not allocate block")
        real_build(con)

    monkeypatch.setattr(model, "build", flaky_build)
    top = write_release(tmp_path)
    ingest_release(top, tmp_path / "db.duckdb", progress=False)
    assert len(limits) == 2
    assert limits[0] != limits[1]  # the bounded pool first, DuckDB's default on the retry
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM asylum_decisions").fetchone() is not None
    con.close()
