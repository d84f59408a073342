"""The readers' pages: overview (now against a baseline, by quarter), appeals, wait, backlog,
chart images (web and ``--chart``), clean-up (no server path, gzip, methodology for readers).

Exact values come from the hand rows of ``metrics_fixtures`` (judge HC3: a grant on
2019-09-30, a denial on 2019-10-01, a grant on 2020-12-31) and from independent sums.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from asylumstats.web import create_app
from asylumstats.web.render import board_outcomes, change_words, period_words
from cli_helpers import run
from web_fixtures import build_web_db

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_db(tmp_path_factory.mktemp("pages") / "web.duckdb")


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db))


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


# -- overview -----------------------------------------------------------------------------------


def test_overview_now_against_baseline_hand_counts(client: TestClient) -> None:
    params = {"judge": "HC3", "base": "2019-01-01..2019-12-31", "current": "2020-01-01.."}
    data = client.get("/overview.json", params=params).json()
    c = data["change"]
    assert (c["base_grants"], c["base_decisions"], c["current_grants"], c["current_decisions"]) == (
        1, 2, 1, 1,
    )  # fmt: skip
    assert c["base_rate"] == 0.5 and c["current_rate"] == 1.0
    assert c["difference"] == pytest.approx(0.5)
    assert (data["base"], data["current"]) == (params["base"], params["current"])
    quarters = {q["quarter"]: (q["grants"], q["denials"]) for q in data["by_quarter"]}
    assert quarters == {"2019-Q3": (1, 0), "2019-Q4": (0, 1), "2020-Q4": (1, 0)}
    assert data["change"] == client.get("/change.json", params=params).json()[0]
    lines = client.get("/overview.csv", params=params).text.splitlines()
    assert lines[1].startswith("change,2019-01-01..2019-12-31,2020-01-01..,1,1,0,2,0.5,")
    html = client.get("/", params=params).text
    assert "50.0%" in html and "100.0%" in html
    assert "50.0 percentage points higher now" in html
    assert "The interval includes zero" in html  # three decisions cannot show a real change


def test_overview_defaults_and_quarters_sum_the_months(client: TestClient) -> None:
    data = client.get("/api/overview").json()
    assert data["base"] == "2010-01-01..2024-12-31"
    assert data["current"] == "2025-01-01.."  # the fixture's release is dated in 2026
    sums: dict[str, list[int]] = {}
    for m in data["by_month"]:
        q = f"{m['month'][:4]}-Q{(int(m['month'][5:7]) - 1) // 3 + 1}"
        s = sums.setdefault(q, [0, 0, 0])
        s[0], s[1], s[2] = s[0] + m["grants"], s[1] + m["denials"], s[2] + m["other"]
    got = {q["quarter"]: [q["grants"], q["denials"], q["other"]] for q in data["by_quarter"]}
    assert got == sums and len(got) > 4
    for q in data["by_quarter"]:
        n = q["grants"] + q["denials"]
        if n:
            assert (q["ci_low"], q["ci_high"]) == pytest.approx(wilson(q["grants"], n))


def test_change_words() -> None:
    row = {"difference": -0.21, "diff_ci_low": -0.25, "diff_ci_high": -0.17}
    assert change_words(row) == (
        "The grant rate is 21.0 percentage points lower now than in the baseline "
        "(95% interval -25.0 to -17.0 points)."
    )
    assert "includes zero" in change_words({"difference": 0.02, "diff_ci_low": -0.01,
                                            "diff_ci_high": 0.05})  # fmt: skip
    assert period_words("2025-01-01..") == "since 2025-01-01"
    assert period_words("2010-01-01..2024-12-31") == "2010-01-01 to 2024-12-31"


# -- appeals, wait, backlog ---------------------------------------------------------------------


def test_board_outcomes_shares_and_intervals() -> None:
    row = {"dhs_appeals_dismissed": 6, "dhs_appeals_sustained": 2, "dhs_appeals_remanded": 1,
           "dhs_appeals_other": 0, "dhs_appeals_pending": 1}  # fmt: skip
    out = board_outcomes(row, "dhs")
    assert out["total"] == 10
    by = {r["outcome"]: r for r in out["rows"]}
    assert list(by) == ["dismissed", "sustained", "remanded", "other", "pending"]
    assert by["dismissed"]["share"] == 0.6
    assert (by["dismissed"]["ci_low"], by["dismissed"]["ci_high"]) == pytest.approx(wilson(6, 10))
    assert by["other"]["share"] == 0.0
    empty = board_outcomes({}, "respondent")
    assert empty["total"] == 0 and all(r["share"] is None for r in empty["rows"])


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/appeals", ["Grants appealed by the government (DHS)", "What the Board decided",
                      "Dismissed", "Sustained", "Remanded", "Pending"]),
        ("/appeals?by=fiscal_year", ["Who appealed", "Fiscal year"]),
        ("/appeals?by=court", ["Who appealed", 'class="sortable"']),
        ("/wait?by=court", ["median days", 'class="sortable"']),
        ("/backlog?by=court", ["How many cases are waiting", 'class="sortable"']),
        ("/languages/SP", ["<h1"]),
        ("/change?base=2019-01-01..2019-12-31&current=2020-01-01..", ["percentage points"]),
    ],
)  # fmt: skip
def test_national_pages_and_their_twins(client: TestClient, path: str, words: list[str]) -> None:
    html = client.get(path)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    for w in words:
        assert w in html.text, w
    if "Nothing matches" not in html.text:
        assert 'tabindex="0" role="region"' in html.text
    base, _, query = path.partition("?")
    for ext, media in (("json", "application/json"), ("csv", "text/csv")):
        twin = client.get(f"{base}.{ext}" + (f"?{query}" if query else ""))
        assert twin.status_code == 200, (path, ext)
        assert twin.headers["content-type"].startswith(media)


def test_appeals_page_shows_the_json_counts(client: TestClient) -> None:
    row = client.get("/appeals.json").json()[0]
    html = client.get("/appeals").text
    assert f"{row['grants_appealed_by_dhs']:,} of {row['grants']:,} grants" in html
    assert f"{row['denials_appealed_by_respondent']:,} of {row['denials']:,} denials" in html


# -- charts as images ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media", "magic"),
    [
        ("/overview.png?chart=quarter", "image/png", PNG),
        ("/overview.svg?chart=fy", "image/svg+xml", b"<svg"),
        ("/judges/HC5.svg?chart=nat", "image/svg+xml", b"<svg"),
        ("/courts/NYC.png", "image/png", PNG),
        ("/rates.svg?by=fiscal_year", "image/svg+xml", b"<svg"),
        ("/change.png?base=2019-01-01..2019-12-31&current=2020-01-01..", "image/png", PNG),
    ],
)
def test_chart_images(client: TestClient, path: str, media: str, magic: bytes) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media
    assert r.content.startswith(magic)
    assert "attachment" in r.headers["content-disposition"]


def test_chart_image_errors(client: TestClient) -> None:
    assert client.get("/overview.png?chart=nope").status_code == 404
    assert client.get("/rates.png?by=court,fiscal_year").status_code == 404  # no chart
    assert client.get("/api/rates?format=png").status_code == 422  # the API answers data


def test_cli_chart(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png, svg = tmp_path / "fy.png", tmp_path / "change.svg"
    code, out, err = run(capsys, "rate", "--db", str(db), "--by", "fiscal_year", "--chart",
                         str(png), "--format", "json")  # fmt: skip
    assert code == 0 and out.startswith("[") and png.read_bytes().startswith(PNG)
    assert f"Chart saved to {png}." in err
    code, _, _ = run(capsys, "change", "--db", str(db), "--base", "2019-01-01..2019-12-31",
                     "--current", "2020-01-01..", "--by", "court", "--chart", str(svg))  # fmt: skip
    assert code == 0 and b"<svg" in svg.read_bytes()[:200]
    code, _, err = run(capsys, "rate", "--db", str(db), "--chart", str(tmp_path / "x.pdf"))
    assert code != 0 and "name a .png or .svg file" in err and "Traceback" not in err
    code, _, err = run(capsys, "rate", "--db", str(db), "--by", "court,fiscal_year",
                       "--chart", str(tmp_path / "x.png"))  # fmt: skip
    assert code != 0 and "one dimension" in err and not (tmp_path / "x.png").exists()


# -- clean-up -----------------------------------------------------------------------------------


def test_no_server_path_in_any_response(client: TestClient, db: Path) -> None:
    folder = str(db.parent)
    for path in ("/api/release", "/overview.json", "/compare.json?judge=HC5", "/"):
        text = client.get(path).text
        assert folder not in text, path
    assert "/" not in (client.get("/api/release").json().get("source") or "")


def test_static_assets_are_compressed(client: TestClient) -> None:
    r = client.get("/static/vendor/vega.min.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"


def test_methodology_speaks_to_readers(client: TestClient) -> None:
    text = client.get("/methodology").text
    for word in ("SPEC", "the issue", "src/asylumstats", "eoir-reference"):
        assert word not in text, word


def test_html_routes_answer_errors_in_html(client: TestClient) -> None:
    r = client.get("/judges/NOPE")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<footer" in r.text
    r = client.get("/judges/NOPE.json")
    assert r.status_code == 404 and r.json()["error"]


# -- languages ----------------------------------------------------------------------------------

LANGS = {"es": "es", "zh": "zh-Hans", "ht": "ht"}
HEADLINE = re.compile(r'class="headline-rate">(?:<a [^>]*>)?([^<]*)<')


@pytest.mark.parametrize("lang", list(LANGS))
@pytest.mark.parametrize(
    "path",
    ["/?judge=HC3&base=2019-01-01..2019-12-31&current=2020-01-01..", "/judges/HC5", "/appeals",
     "/courts/NYC?definition=eoir", "/languages/SP"],
)  # fmt: skip
def test_translated_pages_same_numbers_other_words(
    client: TestClient, lang: str, path: str
) -> None:
    english = client.get(path).text
    other = client.get(f"/{lang}{path}")
    assert other.status_code == 200
    assert f'<html lang="{LANGS[lang]}"' in other.text and '<html lang="en"' in english
    assert HEADLINE.findall(other.text) == HEADLINE.findall(english) != []
    h1 = re.compile(r"<h1>(.*?)</h1>", re.S)
    if path.startswith("/?"):
        assert h1.findall(other.text) != h1.findall(english)
    assert "National overview" in english and "National overview" not in other.text
    assert f'href="/{lang}/' in other.text  # links stay in the language
    for code in LANGS:  # the switcher offers every language
        assert f'hreflang="{code}"' in other.text


def test_translated_twins_are_the_same_data(client: TestClient) -> None:
    for path in ("/appeals.json", "/overview.json", "/judges/HC5.csv"):
        assert client.get(f"/zh{path}").content == client.get(path).content


def test_catalogs_complete_with_the_same_placeholders() -> None:
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1] / "src" / "asylumstats" / "web" / "locales"
    with (root / "messages.pot").open("rb") as fh:
        ids = {m.id for m in read_po(fh) if m.id}
    field = re.compile(r"%\((\w+)\)s|%%")
    for lang in LANGS:
        with (root / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = {m.id: m.string for m in read_po(fh) if m.id}
        assert set(catalog) == ids, lang
        for msgid, text in catalog.items():
            assert text, (lang, msgid)
            assert sorted(field.findall(text)) == sorted(field.findall(msgid)), (lang, msgid)
