"""Judge, court and nationality profiles: name matching and numbers consistent with rates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from asylumstats.engines import Engine, open_engine
from asylumstats.errors import NotFoundError, UserError
from asylumstats.metrics import (
    Filters,
    court_profile,
    judge_profile,
    nationality_profile,
    rate_rows,
)
from asylumstats.metrics.profiles import resolve
from metrics_fixtures import build_db, reference_decisions, standard_dataset

#: The decisions of the test database, computed in plain Python from SPEC §3.
REF = reference_decisions(standard_dataset())


def ref_counts(keep, definition: str = "merits") -> tuple[int, int, int, int]:
    """(grants, denials, other, decisions) of the reference decisions ``keep`` accepts."""
    rows = [d for d in REF if keep(d)]
    g = sum(d["outcome"] == "grant" for d in rows)
    dn = sum(d["outcome"] == "denial" for d in rows)
    o = sum(d["outcome"] == "other" for d in rows)
    return g, dn, o, g + dn + (o if definition == "eoir" else 0)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    db = build_db(tmp_path_factory.mktemp("profiles") / "t.duckdb", standard_dataset())
    eng = open_engine(db)
    yield eng
    eng.close()


def counts(row: dict) -> tuple[int, int, int, int]:
    return row["grants"], row["denials"], row["other"], row["decisions"]


def test_resolve_names(engine: Engine) -> None:
    assert resolve(engine, "judge", "ouslander") == ("JA1", "OUSLANDER, JOHN")
    assert resolve(engine, "judge", " John Ouslander ") == ("JA1", "OUSLANDER, JOHN")
    assert resolve(engine, "judge", "ja1") == ("JA1", "OUSLANDER, JOHN")
    assert resolve(engine, "judge", "jx9") == ("JX9", None)  # only in the data
    assert resolve(engine, "judge", "carl") == ("JC3", "NEWNAME, CARL")
    assert resolve(engine, "nationality", "china") == ("CH", "CHINA")
    assert resolve(engine, "nationality", "??") == ("??", "UNKNOWN")
    assert resolve(engine, "court", "san fran") == ("SFR", "SAN FRANCISCO")
    with pytest.raises(UserError, match="JB2 \\(SMITH, ANNA\\); JS5 \\(SMITH, BOB\\)"):
        resolve(engine, "judge", "smith")
    with pytest.raises(NotFoundError):
        resolve(engine, "judge", "nobody at all")
    with pytest.raises(UserError):
        resolve(engine, "nationality", "  ")


def test_judge_profile(engine: Engine) -> None:
    p = judge_profile(engine, "ouslander")
    assert (p["profile"], p["judge_code"], p["judge_name"]) == ("judge", "JA1", "OUSLANDER, JOHN")
    mine = rate_rows(engine, [], Filters(judge="JA1"))[0]
    assert counts(p["rate"]) == counts(mine) and p["decisions"] == mine["decisions"]
    courts = rate_rows(engine, ["court"], Filters(judge="JA1"))
    assert p["courts"] == courts
    # SPEC §2.2: the main court has the most decisions of any outcome (ties: first code);
    # "the court" is its other judges over the judge's fiscal years; the nation those years.
    mine_ref = [d for d in REF if d["judge_code"] == "JA1"]
    years = {d["fiscal_year"] for d in mine_ref}
    per_court: dict[str, int] = {}
    for d in mine_ref:
        per_court[d["court_code"]] = per_court.get(d["court_code"], 0) + 1
    main_code = min(per_court, key=lambda c: (-per_court[c], c))
    assert p["court"]["court_code"] == main_code
    assert counts(p["court"]) == ref_counts(
        lambda d: (
            d["court_code"] == main_code and d["judge_code"] != "JA1" and d["fiscal_year"] in years
        )
    )
    assert counts(p["nation"]) == ref_counts(lambda d: d["fiscal_year"] in years)
    assert p["fiscal_years"] == sorted(years)
    assert "JA1 excluded" in p["comparison"]["caption"]
    assert p["vs_nation"] == pytest.approx(p["rate"]["grant_rate"] - p["nation"]["grant_rate"])
    years = rate_rows(engine, ["fiscal_year"], Filters(judge="JA1"))
    assert [y["fiscal_year"] for y in p["by_fiscal_year"]] == [y["fiscal_year"] for y in years]
    for entry, row in zip(p["by_fiscal_year"], years, strict=True):
        assert counts(entry["rate"]) == counts(row)
        nat = rate_rows(engine, [], Filters(fy=row["fiscal_year"]))[0]
        assert counts(entry["nation"]) == counts(nat)
    top = p["top_nationalities"]
    assert [r["decisions"] for r in top] == sorted((r["decisions"] for r in top), reverse=True)
    rep = rate_rows(engine, ["represented"], Filters(judge="JA1"))
    yes = sum(r["decisions"] for r in rep if r["represented"])
    assert p["represented_share"] == pytest.approx(yes / mine["decisions"])
    assert p["release_date"] == "2026-07-01" and p["synthetic"] is True
    assert p["window"]["first_decision"] <= p["window"]["last_decision"]


def test_profile_filters_and_definitions(engine: Engine) -> None:
    p = judge_profile(engine, "JB2", "eoir", Filters(nationality="CH"))
    mine = rate_rows(engine, [], Filters(judge="JB2", nationality="CH"), "eoir")[0]
    assert counts(p["rate"]) == counts(mine) and p["definition"] == "eoir"
    years = {
        d["fiscal_year"] for d in REF if d["judge_code"] == "JB2" and d["nationality_code"] == "CH"
    }
    assert counts(p["nation"]) == ref_counts(
        lambda d: d["nationality_code"] == "CH" and d["fiscal_year"] in years, "eoir"
    )
    assert "nationality CH" in p["comparison"]["caption"]
    empty = judge_profile(engine, "NOD")
    assert empty["decisions"] == 0 and empty["court"] is None and empty["by_fiscal_year"] == []


def test_court_and_nationality_profiles(engine: Engine) -> None:
    c = court_profile(engine, "sfr", "case")
    assert c["court_code"] == "SFR" and c["court_name"] == "SAN FRANCISCO"
    assert counts(c["rate"]) == counts(rate_rows(engine, [], Filters(court="SFR"), "case")[0])
    sfr_years = {r["fiscal_year"] for r in rate_rows(engine, ["fiscal_year"], Filters(court="SFR"))}
    assert c["fiscal_years"] == sorted(sfr_years)
    assert c["judges"] == rate_rows(engine, ["judge"], Filters(court="SFR"), "case")
    n = nationality_profile(engine, "honduras", filters=Filters(fy=2019))
    assert n["nationality_code"] == "HO"
    assert counts(n["rate"]) == counts(rate_rows(engine, [], Filters(nationality="HO", fy=2019))[0])
    assert counts(n["nation"]) == counts(rate_rows(engine, [], Filters(fy=2019))[0])
    assert {r["court_code"] for r in n["top_courts"]} <= {"NYC", "SFR", "HOU", "QQQ"}
    with pytest.raises(NotFoundError):
        court_profile(engine, "Atlantis")
