"""The web app in a real browser (Debian chromium via Playwright): search, switch, download, charts.

Also checks that no page logs a console error (a Content-Security-Policy violation would) and
saves a screenshot of each page to tests/artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_fixtures import LiveServer, build_web_db

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parent / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = build_web_db(tmp_path_factory.mktemp("browser") / "web.duckdb")
    with LiveServer(db) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on(
        "console",
        lambda m: (m.type == "error" or m.text.startswith("WARN")) and pg.errors.append(m.text),
    )  # CSP violations are console errors; Vega warns "WARN"
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on(
        "response",
        lambda r: (
            r.status >= 400 and "/NOPE" not in r.url and pg.errors.append(f"{r.status} {r.url}")
        ),
    )
    yield pg
    context.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_charts(page: Any) -> None:
    page.wait_for_selector(".chart.chart-ready svg", timeout=15000)
    for chart in page.query_selector_all(".chart[data-spec]"):
        if "No decisions" not in chart.inner_text():
            assert chart.query_selector("svg, canvas"), chart.get_attribute("id")


def test_search_open_switch_download(server: LiveServer, page: Any, tmp_path: Path) -> None:
    page.goto(server.url + "/")
    wait_charts(page)
    assert "SYNTHETIC SAMPLE DATA" in page.inner_text("#synthetic-banner")
    shot(page, "overview")

    page.fill("#search-q", "")
    page.type("#search-q", "brea", delay=40)  # as you type: BREAK, TIE (judge HC5)
    hit = page.wait_for_selector("#search-results a:has-text('BREAK, TIE')", timeout=10000)
    shot(page, "search-as-you-type")
    hit.click()
    page.wait_for_url("**/judges/HC5*")
    wait_charts(page)
    assert "28.6%" in page.inner_text(".headline-rate >> nth=0")
    page.wait_for_selector("#more.lazy-ready table", timeout=15000)  # appeals, wait (lazy)
    shot(page, "judge")

    page.select_option("#definition", "eoir")  # applied by the button; the state goes in the URL
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**/judges/HC5?definition=eoir")
    wait_charts(page)
    assert page.inner_text(".headline-rate >> nth=0") == "25.0%"
    assert page.inner_text("#definition-in-use") == "eoir"

    with page.expect_download() as info:
        page.click("a:has-text('CSV') >> nth=0")
    path = info.value.path()
    table = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert table and table[0]["definition"] == "eoir"
    assert page.errors == []


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("court", "/courts/NYC"),
        ("nationality", "/nationalities/CH"),
        ("compare", "/compare?judge=JA1&judge=JB2&judge=JS5"),
        ("compare-court", "/compare?judge=JA1"),
        ("rates", "/rates?by=court&definition=case"),
        ("methodology", "/methodology"),
        ("not-found", "/judges/NOPE"),
    ],
)
def test_pages_render_without_console_errors(
    server: LiveServer, page: Any, name: str, url: str
) -> None:
    response = page.goto(server.url + url)
    assert response is not None
    if name not in ("methodology", "not-found"):
        wait_charts(page)
    else:
        page.wait_for_load_state("load")
    assert page.query_selector("#synthetic-banner")
    shot(page, name)
    expected = ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    assert page.errors == (expected if name == "not-found" else [])
