"""Intervals clustered on the family: the cluster-robust variance by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from asylumstats.cli import main
from asylumstats.engines import open_engine
from asylumstats.metrics.cluster import cluster_interval, clustered_rate_result
from metrics_fixtures import D, Dataset, build_db


def family_data() -> Dataset:
    ds = Dataset()
    for cid, dec in ((1, "G"), (2, "G"), (3, "D"), (4, "G"), (5, "D")):
        ds.case(cid)
        ds.proc(cid * 10, cid, D(2020, 3, cid), "JA1")
        ds.app(cid * 10, cid, dec)
    ds.lead(1, 2)  # case 2 rides on case 1: one family
    return ds


def test_cluster_interval_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # families {1, 2}: 2 of 2; {3}: 0 of 1; {4}: 1 of 1; {5}: 0 of 1; p = 3/5
    var = 4 / 3 * (0.8**2 + 0.6**2 + 0.4**2 + 0.6**2) / 25
    want = {
        "families": 4,
        "cluster_ci_low": pytest.approx(0.6 - 1.959963984540054 * math.sqrt(var)),
        "cluster_ci_high": 1.0,  # clipped
        "design_effect": pytest.approx(var / (0.6 * 0.4 / 5)),
    }
    assert cluster_interval([(2, 2), (0, 1), (1, 1), (0, 1), (0, 0)]) == want
    db = build_db(tmp_path / "f.duckdb", family_data())
    with open_engine(db) as eng:
        (row,) = clustered_rate_result(eng, "judge").rows
    assert (row["grants"], row["decisions"]) == (3, 5)
    assert {k: row[k] for k in want} == want
    assert cluster_interval([(1, 2)])["cluster_ci_low"] is None  # one family: no interval
    main(["rate", "--db", str(db), "--by", "judge", "--cluster-family", "--format", "json"])
    (got,) = json.loads(capsys.readouterr().out)
    assert got["families"] == 4 and got["design_effect"] == pytest.approx(want["design_effect"])
    with pytest.raises(SystemExit):
        main(["rate", "--db", str(db), "--by", "judge", "--cluster-family", "--adjust"])
    assert "not both" in capsys.readouterr().err
