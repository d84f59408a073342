"""End to end: a generated ~3000-case release, ingested, then ``rate --format json`` against
counts computed independently in Python from the generator's truth files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asylumstats.cli import main
from metrics_fixtures import Dataset, reference_decisions, reference_rates

pytestmark = pytest.mark.slow

CASES = 3000
GROUPINGS = [["judge"], ["court"], ["nationality"], ["fiscal_year"], ["judge", "fiscal_year"]]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    sample = pytest.importorskip("asylumstats.sample")
    ingest = pytest.importorskip("asylumstats.ingest")
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("e2e")
    truth = root / "truth"
    sample.generate_release(root / "release.zip", CASES, 11, truth_dir=truth)
    db = root / "db.duckdb"
    ingest.ingest_release(root / "release.zip", db, progress=False)
    data = Dataset(
        cases=pq.read_table(truth / "cases.parquet").to_pylist(),
        proceedings=pq.read_table(truth / "proceedings.parquet").to_pylist(),
        applications=pq.read_table(truth / "applications.parquet").to_pylist(),
    )
    lookups = {p.stem: pq.read_table(p).to_pylist() for p in (truth / "lookups").glob("*.parquet")}
    return db, reference_decisions(data, lookups)


def test_truth_has_decisions(release: tuple[Path, list[dict[str, Any]]]) -> None:
    _, ref = release
    outcomes = {r["outcome"] for r in ref}
    assert len(ref) > 300 and outcomes == {"grant", "denial", "other"}


@pytest.mark.parametrize("definition", ["merits", "eoir", "case"])
@pytest.mark.parametrize("by", GROUPINGS, ids=lambda b: "+".join(b))
def test_rate_json_matches_truth(
    release: tuple[Path, list[dict[str, Any]]],
    by: list[str],
    definition: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, ref = release
    main(
        [
            "rate",
            "--db",
            str(db),
            "--by",
            ",".join(by),
            "--definition",
            definition,
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    got = json.loads(out)
    expected = reference_rates(ref, by, definition)
    assert [{k: r[k] for k in expected[0]} for r in got] == expected
    assert "SYNTHETIC DATA" in err
