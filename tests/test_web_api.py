"""The JSON API and the pages' JSON/CSV twins, on a small database with hand-known counts."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from asylumstats.engines import open_engine
from asylumstats.metrics import Filters, judge_profile, rate_rows
from asylumstats.web import create_app
from asylumstats.web.app import SECURITY_HEADERS
from web_fixtures import build_web_db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_db(tmp_path_factory.mktemp("web") / "web.duckdb")


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db))


def engine_rows(db: Path, by: str | None, definition: str = "merits", **filters: str) -> list:
    with open_engine(db, "duckdb") as eng:
        return rate_rows(eng, by, Filters.parse(**filters), definition)


def test_rates_by_judge_equals_rate_rows_and_hand_counts(client: TestClient, db: Path) -> None:
    r = client.get("/api/rates", params={"by": "judge"})
    assert r.status_code == 200
    rows = r.json()
    assert rows == engine_rows(db, "judge")
    by_code = {row["judge_code"]: row for row in rows}
    hc3 = by_code["HC3"]  # FY boundary judge: grant, denial, grant
    assert (hc3["grants"], hc3["denials"], hc3["other"], hc3["decisions"]) == (2, 1, 0, 3)
    assert hc3["judge_name"] == "YEAR, FISCAL"
    assert hc3["grant_rate"] == pytest.approx(2 / 3)
    assert hc3["small_sample"] is True
    hc1 = by_code["HC1"]  # one application per code: F G C I P "g " grant, D, six other
    assert (hc1["grants"], hc1["denials"], hc1["other"], hc1["decisions"]) == (6, 1, 6, 7)
    hc4 = by_code["HC4"]  # only "other": listed, no merits decisions, null rate
    assert (hc4["decisions"], hc4["grant_rate"], hc4["ci_low"]) == (0, None, None)


@pytest.mark.parametrize(
    ("params", "definition"),
    [
        ({"by": "fiscal_year", "judge": "hc3"}, "merits"),
        ({"by": "court,nationality", "fy": "2019"}, "eoir"),
        ({"by": "month", "from": "2019-01-01", "to": "2019-06-30"}, "case"),
        ({}, "merits"),
    ],
)
def test_rates_match_library(client: TestClient, db: Path, params: dict, definition: str) -> None:
    r = client.get("/api/rates", params={**params, "definition": definition})
    assert r.status_code == 200
    lib = {
        k.replace("from", "date_from").replace("to", "date_to"): v
        for k, v in params.items()
        if k != "by"
    }
    assert r.json() == engine_rows(db, params.get("by"), definition, **lib)


def test_definition_changes_the_numbers(client: TestClient) -> None:
    def hc5(definition: str) -> dict:
        return client.get("/api/rates", params={"judge": "HC5", "definition": definition}).json()[0]

    assert (hc5("merits")["grants"], hc5("merits")["decisions"]) == (2, 7)
    assert (hc5("eoir")["grants"], hc5("eoir")["decisions"]) == (2, 8)
    assert (hc5("case")["grants"], hc5("case")["decisions"]) == (1, 4)


def test_rates_csv_parses_and_matches_json(client: TestClient) -> None:
    rows = client.get("/api/rates", params={"by": "judge"}).json()
    r = client.get("/api/rates", params={"by": "judge", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert len(table) == len(rows)
    assert list(table[0]) == list(rows[0])
    assert table[0]["grants"] == str(rows[0]["grants"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/judges/NOPE",
        "/api/courts/NOPE",
        "/api/nationalities/XX1",
        "/api/rates?judge=NOPE",
        "/judges/NOPE.json",
        "/courts/NOPE.csv",
    ],
)
def test_unknown_codes_are_404_json(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert set(r.json()) == {"error"}
    assert "NOPE" in r.json()["error"] or "XX1" in r.json()["error"]


def test_unknown_page_is_html_404(client: TestClient) -> None:
    r = client.get("/judges/NOPE")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "NOPE" in r.text and "Traceback" not in r.text


@pytest.mark.parametrize(
    "query",
    [
        "by=foo",
        "fy=abc",
        "fy=20",
        "from=2020-13-01",
        "to=yesterday",
        "definition=bogus",
        "from=2021-01-01&to=2020-01-01",
        "defintion=eoir",
        "format=xml",
    ],
)
def test_bad_parameters_are_422_json(client: TestClient, query: str) -> None:
    r = client.get(f"/api/rates?{query}")
    assert r.status_code == 422
    body = r.json()
    assert set(body) == {"error"} and body["error"]
    assert "Traceback" not in body["error"]


def test_profile_api_equals_library(client: TestClient, db: Path) -> None:
    r = client.get("/api/judges/HC3", params={"definition": "eoir"})
    assert r.status_code == 200
    with open_engine(db, "duckdb") as eng:
        expected = judge_profile(eng, "HC3", "eoir", Filters())
    got = r.json()
    for key, value in expected.items():
        assert got[key] == value, key
    assert [e["fiscal_year"] for e in got["by_fiscal_year"]] == [2019, 2020, 2021]


def test_page_twins(client: TestClient) -> None:
    api = client.get("/api/judges/HC3").json()
    assert client.get("/judges/HC3.json").json() == api
    assert client.get("/judges/HC3?format=json").json() == api
    r = client.get("/judges/HC3.csv")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    rate = next(row for row in table if row["section"] == "rate")
    assert (rate["grants"], rate["denials"], rate["decisions"]) == ("2", "1", "3")
    years = [row for row in table if row["section"] == "by_fiscal_year.rate"]
    assert [row["fiscal_year"] for row in years] == ["2019", "2020", "2021"]
    for url in (
        "/overview.csv",
        "/courts/SFR.csv",
        "/nationalities/%3F%3F.csv",
        "/compare.csv?judge=JA1&judge=JB2",
        "/rates.csv?by=court",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert list(csv.DictReader(io.StringIO(r.text))), url
    rates = client.get("/rates.json?by=court&definition=eoir").json()
    assert rates == client.get("/api/rates?by=court&definition=eoir").json()


@pytest.mark.parametrize(
    "url", ["/", "/judges/HC3", "/api/rates", "/api/judges/NOPE", "/static/app.css", "/nope"]
)
def test_security_headers(client: TestClient, url: str) -> None:
    r = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_internal_error_is_bare_500(db: Path) -> None:
    app = create_app(db)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.state.store.rates = boom
    c = TestClient(app, raise_server_exceptions=False)
    r = c.get("/api/rates")
    assert r.status_code == 500
    assert r.json() == {"error": "Internal server error."}
    assert r.headers["x-content-type-options"] == "nosniff"
    r = c.get("/")  # an HTML route: an HTML error page, still without details
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("text/html")
    assert "Internal server error" in r.text and "secret" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


PAGES = [
    "/",
    "/judges/HC3",
    "/courts/NYC",
    "/nationalities/CH",
    "/nationalities/%3F%3F",
    "/compare?judge=JA1&judge=JB2",
    "/compare",
    "/rates?by=judge",
    "/search?q=smith",
    "/methodology",
    "/judges/NOPE",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_banner_release_definition_no_inline_script(client: TestClient, url: str) -> None:
    r = client.get(url + ("&" if "?" in url else "?") + "definition=eoir")
    assert r.status_code in (200, 404)
    html = r.text
    assert "SYNTHETIC SAMPLE DATA" in html
    assert "2026-07-01" in html
    assert re.search(r'id="definition-in-use">(eoir|merits)<', html)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html and "<style" not in html


def test_no_banner_for_real_release(tmp_path: Path) -> None:
    c = TestClient(create_app(build_web_db(tmp_path / "real.duckdb", synthetic=False)))
    html = c.get("/").text
    assert "SYNTHETIC SAMPLE DATA" not in html
    assert c.get("/api/release").json()["synthetic"] is False


def test_small_sample_label_and_definition_switch_on_page(client: TestClient) -> None:
    merits = client.get("/judges/HC5").text
    eoir = client.get("/judges/HC5?definition=eoir").text
    assert "fewer than 25 decisions" in merits
    assert "28.6%" in merits and "28.6%" not in eoir
    assert "25.0%" in eoir
    assert 'value="eoir" selected' in eoir


def test_search(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "smith"}).json()
    assert {h["code"] for h in hits} >= {"JB2", "JS5"}
    assert all(h["type"] == "judge" for h in hits)
    by_code = client.get("/api/search", params={"q": "sfr"}).json()
    assert by_code[0] == {
        "type": "court",
        "code": "SFR",
        "name": "SAN FRANCISCO",
        "label": "SAN FRANCISCO (SFR)",
        "decisions": by_code[0]["decisions"],
        "url": "/courts/SFR",
    }
    unknown = client.get("/api/search", params={"q": "??"}).json()
    assert unknown[0]["url"] == "/nationalities/%3F%3F"
    assert client.get("/api/search", params={"q": ""}).json() == []


def test_openapi_and_release(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/rates"]["get"]["parameters"]}
    assert {"by", "fy", "from", "to", "judge", "court", "nationality", "definition"} <= params
    for path in (
        "/api/judges/{code}",
        "/api/courts/{code}",
        "/api/nationalities/{code}",
        "/api/search",
        "/api/release",
    ):
        assert path in spec["paths"]
    info = client.get("/api/release").json()
    assert info["synthetic"] is True and info["release_date"] == "2026-07-01"


def test_results_are_cached(db: Path) -> None:
    app = create_app(db, cache_size=4)
    c = TestClient(app)
    cache, responses = app.state.store.cache, app.state.store.responses
    first = c.get("/api/rates?by=court")
    hits, answers = cache.hits, responses.hits
    again = c.get("/api/rates?by=court")  # the same answer, from the response cache
    assert (responses.hits, cache.hits) == (answers + 1, hits)
    assert again.content == first.content
    c.get("/api/rates?by=court&format=csv")  # another answer from the same result
    assert cache.hits == hits + 1
    for by in ("judge", "month", "custody", "language", "represented"):
        c.get(f"/api/rates?by={by}")
    assert len(cache) <= 4


def test_methodology_copy_in_sync() -> None:
    from asylumstats.web.render import methodology_source

    repo_copy = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"
    if not repo_copy.exists():
        pytest.skip("docs/methodology.md does not exist yet; the package copy is the source")
    assert methodology_source() == repo_copy.read_text(encoding="utf-8"), (
        "copy docs/methodology.md to src/asylumstats/web/templates/methodology.md"
    )


def test_extra_metrics_match_library(client: TestClient, db: Path) -> None:
    from asylumstats.web.data import discover_extras

    extras = discover_extras()
    if not extras:
        pytest.skip("no appeals / wait / backlog metric in this installation")
    spec = client.get("/openapi.json").json()
    for name, metric in extras.items():
        assert f"/api/{name}" in spec["paths"]
        r = client.get(f"/api/{name}", params={"by": "court"})
        assert r.status_code == 200, r.text
        with open_engine(db, "duckdb") as eng:
            assert r.json() == metric.run(eng, "court", Filters(), "merits").rows
        assert client.get(f"/api/{name}", params={"by": "bogus"}).status_code == 422
        assert client.get(f"/api/{name}", params={"judge": "NOPE"}).status_code == 404
        table = list(
            csv.DictReader(
                io.StringIO(
                    client.get(f"/api/{name}", params={"by": "court", "format": "csv"}).text
                )
            )
        )
        assert len(table) == len(r.json())


def test_more_page_lazy_and_twins(client: TestClient) -> None:
    page = client.get("/judges/HC3").text
    assert 'data-src="/judges/HC3/more?fragment=1"' in page
    data = client.get("/judges/HC3/more.json").json()
    assert data["judge_code"] == "HC3" and data["judge_name"] == "YEAR, FISCAL"
    if "appeals" in data["available"]:
        assert [r["fiscal_year"] for r in data["appeals"]] == [2019, 2020, 2021]
        assert [r["grants"] for r in data["appeals"]] == [1, 0, 1]
    fragment = client.get("/judges/HC3/more?fragment=1").text
    assert "<html" not in fragment
    assert "<html" in client.get("/judges/HC3/more").text
    assert client.get("/judges/HC3/more.csv").status_code == 200
    assert client.get("/courts/NOPE/more.json").status_code == 404


def test_compare(client: TestClient, db: Path) -> None:
    r = client.get("/api/compare", params=[("judge", "JA1"), ("judge", "jb2")])
    assert r.status_code == 200
    data = r.json()
    assert [j["judge_code"] for j in data["judges"]] == ["JA1", "JB2"]
    with open_engine(db, "duckdb") as eng:
        ja1 = rate_rows(eng, None, Filters(judge="JA1"))[0]
    assert data["judges"][0]["grants"] == ja1["grants"]
    assert data["judges"][0]["decisions"] == ja1["decisions"]
    single = client.get("/api/compare?judge=HC3").json()
    assert {r["series"] for r in single["by_fiscal_year"]} == {
        "YEAR, FISCAL",
        "Court: other judges of SAN FRANCISCO (SFR)",
        "Nation",
    }
    assert client.get("/api/compare").status_code == 422
    five = "&".join(f"judge={c}" for c in ("JA1", "JB2", "JC3", "JD4", "JS5"))
    assert client.get(f"/api/compare?{five}").status_code == 422
    assert client.get("/api/compare?judge=NOPE").status_code == 404


def test_serve_without_database_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from asylumstats.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--db", str(tmp_path / "missing.duckdb")])
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("asylumstats: No database at") and "\n" not in err


def test_lru_cache_bounds() -> None:
    from asylumstats.web.data import LRUCache

    cache = LRUCache(maxsize=3, max_weight=10)
    cache.put("a", 1, 4)
    cache.put("b", 2, 4)
    cache.put("c", 3, 4)  # weight 12 > 10: the oldest goes
    assert cache.get("a") == (False, None)
    assert cache.get("b") == (True, 2) and cache.weight == 8
    cache.put("huge", 0, 11)  # bigger than the whole budget: not kept
    assert cache.get("huge") == (False, None)
    for key in "defg":
        cache.put(key, key)
    assert len(cache) == 3


def test_replaced_database_is_reopened(tmp_path: Path) -> None:
    path = build_web_db(tmp_path / "live.duckdb", synthetic=True)
    c = TestClient(create_app(path))
    assert c.get("/api/release").json()["synthetic"] is True
    before = c.get("/api/rates?by=court").json()
    new = build_web_db(tmp_path / "new.duckdb", synthetic=False)
    new.replace(path)  # what a new ingest does: swap the file in
    assert c.get("/api/release").json()["synthetic"] is False
    assert c.get("/api/rates?by=court").json() == before  # same rows, recomputed
    assert "SYNTHETIC SAMPLE DATA" not in c.get("/").text


def test_chart_specs_carry_the_table_numbers(client: TestClient) -> None:
    import json

    html = client.get("/judges/HC3").text
    blocks = re.findall(r'<script type="application/json" id="spec-(\w+)">(.*?)</script>', html)
    specs = {name: json.loads(body) for name, body in blocks}
    assert set(specs) == {"fy", "nat"}
    fy = specs["fy"]
    assert [layer["mark"]["type"] for layer in fy["layer"]] == ["rule", "point"]
    assert fy["description"] and "95%" in fy["description"]
    judge = [v for v in fy["data"]["values"] if v["series"].startswith("Judge")]
    assert [(v["fiscal_year"], v["grants"], v["decisions"]) for v in judge] == [
        (2019, 1, 1),
        (2020, 0, 1),
        (2021, 1, 1),
    ]
    assert all(v["small_sample"] for v in judge)
    assert 'role="img"' in html and 'aria-label="' in html


@pytest.mark.parametrize(
    "args",
    [
        ["--by", "judge"],
        ["--by", "court,fiscal_year", "--definition", "case"],
        ["--by", "month", "--judge", "HC3", "--definition", "eoir"],
        [],
    ],
)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_api_rates_byte_identical_to_cli(
    client: TestClient, db: Path, capsys: pytest.CaptureFixture[str], args: list[str], fmt: str
) -> None:
    from asylumstats.cli import main

    try:
        main(["rate", "--db", str(db), *args, "--format", fmt])
    except SystemExit as exc:
        assert not exc.code
    cli = capsys.readouterr().out
    params = {a.lstrip("-"): b for a, b in zip(args[::2], args[1::2], strict=True)}
    api = client.get("/api/rates", params={**params, "format": fmt}).text
    assert api == cli


def test_head_requests(client: TestClient) -> None:
    r = client.head("/judges/HC3")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["x-frame-options"] == "DENY"
    assert client.head("/api/judges/NOPE").status_code == 404
