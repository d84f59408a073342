"""One query model on the web: every page, its ``.json``/``.csv`` twins and its ``/api/*`` alias
accept the same filters and give the same numbers as the command line; unknown parameters are
422 everywhere; OpenAPI describes exactly what each endpoint accepts."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from asylumstats.engines import open_engine
from asylumstats.metrics import Filters, judge_profile, rate_rows
from asylumstats.web import create_app
from cli_helpers import run
from metrics_fixtures import LOOKUPS, D, build_db, reference_decisions, standard_dataset

REF = reference_decisions(standard_dataset())


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lookups = copy.deepcopy(LOOKUPS)
    for row in lookups["tbllookuphloc"]:
        row.update(hearing_city=None, hearing_base_city=None)
    lookups["tbllookuphloc"].append(
        {
            "hearing_loc_code": "UL1",
            "hearing_loc_name": "ULSTER CORRECTIONAL FACILITY",
            "hearing_city": "NAPANOCH",
            "hearing_base_city": "HOU",
        }
    )
    ds = standard_dataset()
    # Two decisions with implausible dates: after the release date (2026-07-01), before 1950.
    for idn, day in ((9001, D(2027, 3, 1)), (9002, D(1949, 12, 31))):
        ds.case(idn, nat="HO", lang="SP")
        ds.proc(idn * 10, idn, day, "JD4", court="SFR")
        ds.app(idn * 10, idn, "G", idn=idn * 100)
    return build_db(tmp_path_factory.mktemp("wq") / "t.duckdb", ds, lookups)


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db))


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def cli_args(params: list[tuple[str, str]]) -> list[str]:
    """Web parameters as CLI options (``hearing_location`` → ``--hearing-location``)."""
    return [a for k, v in params for a in (f"--{k.replace('_', '-')}", v)]


# A matrix of filters (as web parameters; repeated names are comma lists on the CLI).
FILTER_MATRIX: list[list[tuple[str, str]]] = [
    [],
    [("nationality", "CH")],
    [("nationality", "CH"), ("nationality", "MX")],
    [("language", "MAN,SP"), ("represented", "no")],
    [("custody", "D"), ("asylum_type", "defensive")],
    [("hearing_location", "NY1"), ("fy", "2019")],
    [("court", "NYC,SFR"), ("from", "2018-01-01"), ("to", "2019-12-31")],
    [("represented", "yes"), ("asylum_type", "affirmative,unknown"), ("definition", "eoir")],
]


def _cli_filters(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: dict[str, list[str]] = {}
    for k, v in params:
        merged.setdefault(k, []).append(v)
    return [(k, ",".join(vs)) for k, vs in merged.items()]


@pytest.mark.parametrize("params", FILTER_MATRIX, ids=lambda p: "&".join(f"{k}={v}" for k, v in p))
@pytest.mark.parametrize("by", ["", "judge", "court,represented"])
def test_parity_rates(
    client: TestClient,
    db: Path,
    capsys: pytest.CaptureFixture[str],
    params: list[tuple[str, str]],
    by: str,
) -> None:
    query = [*params, *([("by", by)] if by else [])]
    api = client.get("/api/rates", params=query)
    twin = client.get("/rates.json", params=query)
    assert api.status_code == 200 and twin.status_code == 200, api.text
    cli = cli_json(capsys, "rate", "--db", str(db), *cli_args(_cli_filters(query)))
    assert api.json() == twin.json() == cli


@pytest.mark.parametrize("params", FILTER_MATRIX[:6], ids=str)
@pytest.mark.parametrize(
    ("kind", "plural", "code"),
    [
        ("judge", "judges", "JA1"),
        ("court", "courts", "NYC"),
        ("nationality", "nationalities", "HO"),
        ("language", "languages", "MAN"),
    ],
)
def test_parity_profiles(
    client: TestClient,
    db: Path,
    capsys: pytest.CaptureFixture[str],
    params: list[tuple[str, str]],
    kind: str,
    plural: str,
    code: str,
) -> None:
    params = [(k, v) for k, v in params if k != kind]
    api = client.get(f"/api/{plural}/{code}", params=params)
    twin = client.get(f"/{plural}/{code}.json", params=params)
    assert api.status_code == 200, api.text
    cli = cli_json(capsys, kind, code, "--db", str(db), *cli_args(_cli_filters(params)))
    assert api.json() == twin.json() == cli


@pytest.mark.parametrize("params", FILTER_MATRIX[:5], ids=str)
def test_parity_change_and_appeals(
    client: TestClient, db: Path, capsys: pytest.CaptureFixture[str], params: list[tuple[str, str]]
) -> None:
    periods = [("base", "..2018-12-31"), ("current", "2019-01-01..")]
    query = [*params, *periods, ("by", "court")]
    api = client.get("/api/change", params=query)
    assert api.status_code == 200, api.text
    assert client.get("/change.json", params=query).json() == api.json()
    cli = cli_json(capsys, "change", "--db", str(db), *cli_args(_cli_filters(query)))
    assert api.json() == cli
    query = [*params, ("by", "court")]
    api = client.get("/api/appeals", params=query)
    assert api.status_code == 200, api.text
    assert client.get("/appeals.json", params=query).json() == api.json()
    assert api.json() == cli_json(
        capsys, "appeals", "--db", str(db), *cli_args(_cli_filters(query))
    )


def test_filtered_pages_show_filtered_numbers(client: TestClient, db: Path) -> None:
    with open_engine(db) as eng:
        expected = judge_profile(eng, "JA1", "merits", Filters(nationality="CH"))
        national = rate_rows(eng, [], Filters(nationality="CH"))[0]
    page = client.get("/judges/JA1.json?nationality=CH").json()
    assert page == expected and page["filters"]["nationality"] == "CH"
    ch = [d for d in REF if d["judge_code"] == "JA1" and d["nationality_code"] == "CH"]
    assert page["rate"]["grants"] == sum(d["outcome"] == "grant" for d in ch)
    html = client.get("/judges/JA1?nationality=CH").text
    assert f"{page['rate']['grants']} grants of {page['rate']['decisions']} decisions" in html
    assert "nationality CH" in html
    overview = client.get("/overview.json?nationality=CH").json()
    assert overview["total"]["grants"] == national["grants"]
    assert "nationality CH" in client.get("/?nationality=CH").text
    # Links on a filtered page keep the filters (but not the page's own dimension).
    assert 'href="/courts/' in html and "nationality=CH" in html
    assert "/courts/NYC?judge=" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/?bogus=1",
        "/judges/JA1?bogus=1",
        "/judges/JA1?judge=JB2",
        "/courts/NYC?court=SFR",
        "/languages/MAN?bogus=1",
        "/rates?by=judge&bogus=1",
        "/compare?judge=JA1&bogus=1",
        "/change?base=..2019-01-01&current=2019-01-02..&bogus=1",
        "/search?q=smith&bogus=1",
        "/methodology?bogus=1",
        "/judges/JA1/more?bogus=1",
        "/appeals?at=2020-01-01",
    ],
)
def test_unknown_parameters_are_422_pages_twins_api(client: TestClient, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 422 and "text/html" in page.headers["content-type"], url
    assert "Unknown parameter" in page.text and "Traceback" not in page.text
    path, _, query = url.partition("?")
    if path not in ("/search", "/methodology"):
        twin_path = "/overview" if path == "/" else path
        twin = client.get(f"{twin_path}.json?{query}")
        assert twin.status_code == 422 and set(twin.json()) == {"error"}, url
        assert client.get(f"{twin_path}.csv?{query}").status_code == 422
    api_path = {
        "/": "/api/overview",
        "/judges/JA1": "/api/judges/JA1",
        "/courts/NYC": "/api/courts/NYC",
        "/languages/MAN": "/api/languages/MAN",
        "/rates": "/api/rates",
        "/compare": "/api/compare",
        "/change": "/api/change",
        "/search": "/api/search",
        "/appeals": "/api/appeals",
    }.get(path)
    if api_path:
        api = client.get(f"{api_path}?{query}")
        assert api.status_code == 422 and set(api.json()) == {"error"}, url


@pytest.mark.parametrize(
    "url",
    [
        "/api/rates?represented=maybe",
        "/api/rates?asylum_type=asylum",
        "/api/rates?definition=eoir&definition=merits",
        "/api/rates?fy=2019&fy=2020",
        "/api/rates?period=2019",
        "/api/change?base=2019..2020",
        "/api/change?base=..2019-01-01",
        "/api/search?limit=500",
        "/api/judges/JA1?format=html",
    ],
)
def test_bad_values_are_422(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 422 and set(r.json()) == {"error"}, url


def test_unknown_filter_codes_are_404(client: TestClient) -> None:
    for url in ("/api/rates?language=XYZ", "/api/judges/JA1?custody=Q", "/rates.json?court=NOPE"):
        r = client.get(url)
        assert r.status_code == 404 and set(r.json()) == {"error"}, url
    r = client.get("/rates?court=NOPE")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]


def test_openapi_describes_exactly_what_each_endpoint_accepts(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    filters = {
        "judge",
        "court",
        "hearing_location",
        "nationality",
        "language",
        "custody",
        "represented",
        "asylum_type",
        "fy",
        "from",
        "to",
    }

    def params(path: str) -> set[str]:
        return {p["name"] for p in spec["paths"][path]["get"]["parameters"] if p["in"] == "query"}

    assert params("/api/rates") == filters | {
        "definition",
        "by",
        "period",
        "adjust",
        "format",
        "release",
    }
    assert params("/api/judges/{code}") == (filters - {"judge"}) | {
        "definition",
        "format",
        "release",
    }
    assert params("/api/languages/{code}") == (filters - {"language"}) | {
        "definition",
        "format",
        "release",
    }
    assert params("/api/change") == filters | {
        "definition",
        "by",
        "base",
        "current",
        "format",
        "release",
    }
    assert "at" not in params("/api/appeals") and "case_type" not in params("/api/appeals")
    assert {"at", "case_type"} <= params("/api/backlog")
    for path, item in spec["paths"].items():
        if path.startswith("/api/"):  # every endpoint takes release, which may not be kept
            assert "release" in params(path), path
            responses = item["get"]["responses"]
            assert "422" in responses, path
            assert "404" in responses, path
            assert responses["404"]["content"]["application/json"]["schema"]["required"] == [
                "error"
            ]
            assert "release asked for is not kept" in responses["404"]["description"], path
    search_404 = spec["paths"]["/api/search"]["get"]["responses"]["404"]["description"]
    assert search_404 == "The release asked for is not kept."  # search has no code to miss
    # What OpenAPI advertises is accepted.
    assert client.get("/api/backlog?at=2020-01-01&by=court").status_code == 200


def test_languages_search_and_court_names(client: TestClient) -> None:
    hits = client.get("/api/search?q=mandarin").json()
    assert hits[0]["type"] == "language" and hits[0]["url"] == "/languages/MAN"
    ulster = client.get("/api/search?q=ulster").json()
    assert [(h["type"], h["code"], h["label"]) for h in ulster] == [
        ("court", "HOU", "HOUSTON (HOU)")
    ]
    assert ulster[0]["matched"] == "hearing location ULSTER CORRECTIONAL FACILITY"
    assert client.get("/api/search?q=napanoch").json()[0]["code"] == "HOU"
    # Another spelling finds a name when nothing matches exactly ("uyghur" → "UIGUR").
    near = client.get("/api/search?q=spannish").json()
    assert [(h["code"], h["matched"]) for h in near] == [("SP", "spelled SPANISH")]
    assert client.get("/api/search?q=zzzzzz").json() == []
    page = client.get("/languages/MAN")
    assert page.status_code == 200 and "MANDARIN" in page.text
    assert client.get("/languages/MAN.csv").status_code == 200
    table = client.get("/rates?by=court").text
    assert "NEW YORK (NYC)" in table
    rows = list(csv.DictReader(io.StringIO(client.get("/rates.csv?by=court").text)))
    assert "NEW YORK (NYC)" in {r["court_name"] for r in rows}
    assert "NEW YORK" in {r["court_name"] for r in client.get("/api/rates?by=court").json()}
    assert "NEW YORK (NYC)" in client.get("/judges/JA1").text


def test_protection_switch_and_side_by_side(client: TestClient) -> None:
    page = client.get("/").text
    assert '<option value="protection"' in page
    data = client.get("/overview.json").json()
    assert all("protection" in row for row in data["by_definition"])
    assert 'value="protection" selected' in client.get("/?definition=protection").text


def test_empty_results_on_pages(client: TestClient) -> None:
    page = client.get("/rates?judge=HC4&court=NYC")
    assert page.status_code == 200 and "No asylum decisions match" in page.text
    assert client.get("/api/rates?judge=HC4&court=NYC").json() == []


def test_change_page(client: TestClient) -> None:
    form = client.get("/change")
    assert form.status_code == 200 and 'name="base"' in form.text
    page = client.get("/change?base=..2018-12-31&current=2019-01-01..&by=court")
    assert page.status_code == 200 and "Newcombe" in page.text and "NEW YORK" in page.text


def test_implausible_dates_counted_on_pages(client: TestClient) -> None:
    judge = client.get("/judges/JD4.json").json()
    assert judge["excluded_implausible"] == 2
    assert 2027 not in {e["fiscal_year"] for e in judge["by_fiscal_year"]}
    assert client.get("/overview.json").json()["excluded_implausible"] == 2
    assert client.get("/overview.json?court=NYC").json()["excluded_implausible"] == 0
    assert "2 decisions with an implausible date" in client.get("/").text
    assert "2 decisions with an implausible date" in client.get("/judges/JD4").text


def test_repeated_by_is_a_comma_list(client: TestClient) -> None:
    repeated = client.get("/api/rates?by=judge&by=court").json()
    assert repeated == client.get("/api/rates?by=judge,court").json()
    assert repeated == client.get("/rates.json?by=judge&by=court").json()
    assert list(repeated[0])[:4] == ["judge_code", "judge_name", "court_code", "court_name"]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/judges/JA1?language=MAN",
        "/courts/NYC",
        "/nationalities/CH",
        "/languages/MAN",
        "/rates?by=court&custody=D",
        "/compare?judge=JA1&judge=JB2",
        "/change?base=..2018-12-31&current=2019-01-01..",
        "/judges/JA1/more",
        "/appeals?by=court",
        "/methodology",
    ],
)
def test_the_filter_form_of_every_page_is_accepted(client: TestClient, url: str) -> None:
    """Submitting a page's controls (every filter it offers, some empty) never gives a 422."""
    import re

    html = client.get(url).text
    form = re.search(r'<form class="controls"[^>]*action="([^"]*)"(.*?)</form>', html, re.S)
    assert form is not None
    names = re.findall(r'<(?:input|select)[^>]*name="([^"]+)"(?:[^>]*value="([^"]*)")?', form[2])
    r = client.get(form[1], params=[(n, v) for n, v in names])
    assert r.status_code == 200, (url, r.text[:300])
    assert {"custody", "represented", "asylum_type"} <= {n for n, _ in names}
