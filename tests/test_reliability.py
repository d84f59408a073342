"""Reliability: random kills during ingest, fuzzed API requests, and the row parser under
Hypothesis (a row with stray TABs is loaded with every value in its column, or quarantined).
"""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from asylumstats.ingest import ingest_release
from asylumstats.ingest.repair import Rejected, Repairer
from asylumstats.ingest.tables import PROCEEDINGS, Column
from asylumstats.ingest.values import Rule
from ingest_fixtures import write_release

# -- random kills during ingest ----------------------------------------------------------------

KILLS = 6
EXE = Path(sys.executable).parent / "asylumstats"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from asylumstats.sample import generate_release

    out = tmp_path_factory.mktemp("kills") / "sample.zip"
    generate_release(out, 2500, 5)
    return out


def test_random_kills_leave_old_database_and_no_temporaries(
    tmp_path: Path, sample_zip: Path
) -> None:
    db = tmp_path / "db.duckdb"
    ingest_release(write_release(tmp_path / "old"), db, progress=False)
    original = db.read_bytes()
    rng = random.Random(11)
    outcomes: Counter[str] = Counter()
    for i in range(KILLS):
        sig = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)[i % 3]
        proc = subprocess.Popen(
            [str(EXE), "ingest", str(sample_zip), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.4, 2.0))
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=120)
        if proc.returncode == 0:  # finished before the signal: a new database, start again
            outcomes["finished first"] += 1
            db.write_bytes(original)
            continue
        outcomes[sig.name] += 1
        assert proc.returncode == (-9 if sig == signal.SIGKILL else 128 + sig), err
        if sig != signal.SIGKILL:
            word = "interrupted" if sig == signal.SIGINT else "terminated"
            assert err.strip().splitlines() == [f"asylumstats: {word}."], err
            # Its own temporaries are gone (a SIGKILLed one's may remain until the next run).
            assert not [p for p in tmp_path.iterdir() if f".tmp-{proc.pid}" in p.name]
        assert db.read_bytes() == original
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("SELECT count(*) FROM cases").fetchone() == (2,)
        con.close()
    assert sum(outcomes[s] for s in ("SIGINT", "SIGTERM", "SIGKILL")) >= KILLS // 2, outcomes
    # The next ingest removes what SIGKILL left behind, and succeeds.
    ingest_release(sample_zip, db, progress=False)
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


# -- schemathesis against /openapi.json --------------------------------------------------------

API_EXAMPLES = 15  # per operation: a few hundred requests in all


def test_openapi_fuzz_no_server_error_no_schema_break(tmp_path: Path) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from asylumstats.web.app import create_app
    from web_fixtures import build_web_db

    app = create_app(build_web_db(tmp_path / "web.duckdb"))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checks = [
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
        content_type_conformance,
    ]
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1

        @given(case=op.as_strategy())
        @settings(
            max_examples=API_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call()
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=checks)
            except BaseException as exc:  # a failure group: recorded, the run goes on
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.append(f"{case.operation.label} {response.status_code}: {exc}"[:300])

        run()
    assert operations >= 5
    assert sum(statuses.values()) >= operations * 5
    assert failures == []
    assert not [s for s in statuses if s >= 500], statuses


# -- Hypothesis on the row parser: stray TABs in a table without free text ---------------------

CODES = {
    "tblLookupBaseCity": ["NYC", "HOU", "SFR"],
    "tblLookupHloc": ["NYC", "HOU", "SFR", "GAR"],
    "tblLookupJudge": ["AB", "CD", "EFG"],
    "tblLookupCaseType": ["RMV", "DEP", "EXC"],
    "tblLookupCustodyStatus": ["D", "N", "R"],
    "tblLookupAlienNat": ["MX", "GT", "HO", "??"],
    "tblLanguage": ["SP", "ENG", "MAM"],
}


def _value(col: Column) -> st.SearchStrategy[str]:
    blank = st.just("")
    if col.kind in ("id", "int"):
        return st.integers(1, 10**9).map(str)
    if col.kind == "date":
        d = st.datetimes(datetime(1990, 1, 1), datetime(2030, 12, 31)).map(
            lambda x: x.strftime("%Y-%m-%d 00:00:00.000")
        )
        return st.one_of(blank, d)
    if col.kind == "time":
        return st.one_of(blank, st.sampled_from(["0830", "0900", "1300"]))
    if col.lookup in CODES:
        return st.one_of(blank, st.sampled_from(CODES[col.lookup]))
    if col.pattern:
        options = {
            r"[OW67]": "OW",
            r"[A-Z]": "ACTX",
            r"[NY]": "NY",
            r"[YN]": "YN",
            r"[01]": "01",
        }.get(col.pattern, "")
        return st.one_of(blank, st.sampled_from(list(options))) if options else blank
    return st.one_of(blank, st.text("ABCDEFGHXYZ", min_size=1, max_size=min(col.max_len or 3, 3)))


ROW = st.tuples(*(_value(c) for c in PROCEEDINGS.columns))


def _rules() -> list[Rule]:
    rules = []
    for c in PROCEEDINGS.columns:
        codes = frozenset(CODES.get(c.lookup or "", []))
        rules.append(Rule(c, codes, frozenset(k for k in codes if k.strip("?") == "")))
    return rules


REPAIRER = Repairer(_rules())


def _loads_as(fields: list[str | None]) -> list[str | None]:
    return list(REPAIRER._norm(i, v or "") for i, v in enumerate(fields))  # type: ignore[misc]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROW, st.lists(st.tuples(st.integers(0, 37), st.booleans()), min_size=1, max_size=2))
def test_stray_tabs_repaired_exactly_or_quarantined(
    row: tuple[str, ...], strays: list[tuple[int, bool]]
) -> None:
    fields = list(row)
    for pos, after in strays:  # a TAB right before or after a value
        i = min(pos, len(fields) - 1)
        fields.insert(i + 1 if after else i, "")
    result = REPAIRER.repair(fields)
    if isinstance(result, Rejected):
        event("quarantined")
        assert "fit" in result.reason
        return
    event(f"repaired ({len(strays)} stray TABs)")
    assert _loads_as(result.row) == _loads_as(list(row))


def test_one_stray_tab_beside_a_value_repaired_in_realistic_rows() -> None:
    """A full row (every value present and recognised) with one stray TAB: always repaired."""
    values = {
        "IDNPROCEEDING": "10",
        "IDNCASE": "1",
        "OSC_DATE": "2020-01-02 00:00:00.000",
        "INPUT_DATE": "2020-01-03 00:00:00.000",
        "BASE_CITY_CODE": "NYC",
        "HEARING_LOC_CODE": "GAR",
        "IJ_CODE": "AB",
        "HEARING_DATE": "2021-01-02 00:00:00.000",
        "HEARING_TIME": "0900",
        "DEC_TYPE": "O",
        "COMP_DATE": "2024-03-04 00:00:00.000",
        "ABSENTIA": "N",
        "CUSTODY": "N",
        "CASE_TYPE": "RMV",
        "NAT": "MX",
        "LANG": "SP",
        "SCHEDULED_HEAR_LOC": "GAR",
        "CRIM_IND": "N",
        "AGGRAVATE_FELON": "0",
    }
    row = [values.get(c.name, "") for c in PROCEEDINGS.columns]
    for i, v in enumerate(row):
        if not v:
            continue
        for fields in ([*row[:i], "", *row[i:]], [*row[: i + 1], "", *row[i + 1 :]]):
            got = REPAIRER.repair(fields)
            assert not isinstance(got, Rejected), (PROCEEDINGS.columns[i].name, got)
            assert _loads_as(got.row) == _loads_as(row)
