"""Every page on a 390×844 phone screen in a real browser (Debian chromium via Playwright):
no page wider than the screen, axe-core finds no serious or critical accessibility problem,
no console error, and every chart can be saved as PNG and SVG.

axe-core is the copy shipped inside the ``axe-playwright-python`` package (no network). Each
page's width and axe result go to tests/artifacts/phone-report.json, a screenshot to
tests/artifacts/phone/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web_fixtures import LiveServer, build_web_db

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}

#: name → path: every page a reader reaches, national and of one entity.
PAGES: dict[str, str] = {
    "overview": "/",
    "appeals": "/appeals",
    "appeals-by-fy": "/appeals?by=fiscal_year",
    "appeals-by-court": "/appeals?by=court",
    "wait": "/wait",
    "wait-by-court": "/wait?by=court",
    "backlog": "/backlog",
    "backlog-by-court": "/backlog?by=court",
    "language": "/languages/SP",
    "change-form": "/change",
    "change": "/change?base=2010-01-01..2019-12-31&current=2020-01-01..&by=court",
    "judge": "/judges/HC5",
    "judge-more": "/judges/HC5/more",
    "court": "/courts/NYC",
    "nationality": "/nationalities/CH",
    "rates": "/rates?by=court&definition=case",
    "compare": "/compare?judge=JA1&judge=JB2",
    "methodology": "/methodology",
    "search": "/search?q=new",
    "not-found": "/judges/NOPE",
    "releases": "/releases",
    "overview-es": "/es/",
    "judge-zh": "/zh/judges/HC5",
    "appeals-ht": "/ht/appeals?by=court",
    "methodology-es": "/es/methodology",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not at /usr/bin/chromium"),
]


def axe_script() -> str:
    axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python not installed")
    path = Path(axe.__file__).parent / "axe.min.js"
    if not path.exists():
        pytest.skip("axe.min.js is not in the axe-playwright-python package")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = build_web_db(tmp_path_factory.mktemp("phone") / "web.duckdb")
    with LiveServer(db) as live:
        yield live


@pytest.fixture(scope="module")
def phone(server: LiveServer) -> Iterator[Any]:
    """One browser, one 390×844 context for the module; pages record their console errors."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
        yield context
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def report() -> Iterator[dict[str, Any]]:
    out: dict[str, Any] = {}
    yield out
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "phone-report.json").write_text(json.dumps(out, indent=2), encoding="utf-8")


def open_page(context: Any, url: str) -> Any:
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("load")
    if page.query_selector(".chart[data-spec]"):
        page.wait_for_selector(".chart.chart-ready svg", timeout=15000)
    if page.query_selector("section.lazy[data-src]"):
        page.wait_for_selector("section.lazy.lazy-ready", timeout=15000)
    return page


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_a_phone_and_passes_axe(
    server: LiveServer, phone: Any, report: dict[str, Any], name: str
) -> None:
    script = axe_script()
    page = open_page(phone, server.url + PAGES[name])
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
             .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
             .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"""
    )
    page.evaluate(script)
    result = page.evaluate("axe.run(document).then(r => r.violations)")
    bad = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
    others = sorted(v["id"] for v in result if v["impact"] not in ("serious", "critical"))
    report[name] = {
        "path": PAGES[name],
        "width": width,
        "serious_or_critical": bad,
        "minor_or_moderate": others,
    }
    ARTIFACTS.joinpath("phone").mkdir(parents=True, exist_ok=True)
    # A whole-page picture of a very long page (the methodology) can exceed what the browser
    # renders in one capture; those get the first screenful.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(ARTIFACTS / "phone" / f"{name}.png"), full_page=height <= 8000)
    errors = [e for e in page.errors if not (name == "not-found" and "404" in e)]
    page.close()
    assert width <= PHONE["width"], f"{name} is {width} px wide: {wide}"
    assert bad == [], bad
    assert errors == []


def test_controls_apply_only_on_the_button(server: LiveServer, phone: Any) -> None:
    """Arrowing through the definition menu does not reload the page (WCAG 3.2.2)."""
    page = open_page(phone, server.url + "/judges/HC5")
    page.focus("#definition")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.url == server.url + "/judges/HC5"
    page.select_option("#definition", "eoir")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**/judges/HC5?definition=eoir")
    assert page.inner_text("#definition-in-use") == "eoir"
    page.close()


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_every_chart_downloads(server: LiveServer, phone: Any, fmt: str) -> None:
    """Each page's chart links answer with an image of the right type."""
    seen = 0
    for path in ("/", "/judges/HC5", "/courts/NYC", "/languages/SP", "/rates?by=fiscal_year"):
        page = open_page(phone, server.url + path)
        links = [a.get_attribute("href") for a in page.query_selector_all(".chart-downloads a")]
        page.close()
        for href in [h for h in links if h and f".{fmt}?" in h]:
            response = phone.request.get(server.url + href)
            assert response.status == 200, href
            assert (
                response.headers["content-type"]
                == {"png": "image/png", "svg": "image/svg+xml"}[fmt]
            )
            body = response.body()
            assert body[:8] == b"\x89PNG\r\n\x1a\n" if fmt == "png" else b"<svg" in body[:200]
            seen += 1
    assert seen >= 8


def test_judge_page_prints_on_one_page(server: LiveServer, phone: Any) -> None:
    """The print stylesheet makes a judge's page one Letter page (no controls, no menus)."""
    page = phone.browser.new_page()
    page.goto(server.url + "/judges/HC5")
    page.wait_for_selector(".chart.chart-ready svg", timeout=15000)
    page.emulate_media(media="print")
    assert not page.is_visible("form.controls") and not page.is_visible("nav")
    assert page.is_visible(".headline") and page.is_visible("#synthetic-banner")
    pdf = page.pdf(format="Letter")
    page.close()
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
