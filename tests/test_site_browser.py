"""The course site in headless Chromium, as a learner opens it, with nothing outside 127.0.0.1.

The site is built once (Sphinx, a few seconds) from tests/fixtures/site/: trimmed copies of
00, 01, 02 and 07 as ``make course`` executed them, and a notebook that failed
(``make_fixtures.py`` writes them). It is served on 127.0.0.1 as the README says
(``python -m http.server``); every request of every page is logged, and one to anywhere else,
or one answered with an error, fails the test that made it. Screenshots of the start page and
of 07 go to build/screenshots/. Skipped with a message when Chromium is missing.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import nbformat
import pytest

from bench import labdriver as browser
from helpers.infra import config
from helpers.publish import book, site

FIXTURES = Path(__file__).parent / "fixtures" / "site"
SCREENSHOTS = config.REPO_ROOT / "build" / "screenshots"
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("site"),  # one worker builds the site and starts Chromium once
    pytest.mark.skipif(
        not browser.CHROMIUM.exists(),
        reason=f"no Chromium at {browser.CHROMIUM}: install it with `sudo apt-get install "
        "chromium` (or set COURSE_CHROMIUM) to run the site's browser test",
    ),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    """The fixtures' site, built and served on 127.0.0.1; its base URL."""
    assert site.page_settings(), (
        "MathJax and the widget scripts are missing from this environment: run "
        "`python -m helpers fetch site-assets` once online (`make setup` does)"
    )
    build = tmp_path_factory.mktemp("build")
    for path in FIXTURES.glob("[0-9][0-9]_*.json"):  # the notebooks, not runs.json
        shutil.copy(path, build / path.name.replace(".json", ".ipynb"))
    shutil.copy(FIXTURES / "runs.json", build)
    index = book.build_site(build)
    handler = functools.partial(QuietHandler, directory=str(index.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def chromium():
    with browser.chromium() as launched:
        yield launched


@pytest.fixture
def open_page(served_site, chromium):
    """``open_page(name)``: a page of the site, loaded, its requests and failures logged;
    after the test, every request must have stayed on the site and none may have failed."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests, failures = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failures.append(request.url))
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else 0)

    def load(name: str):
        page.goto(served_site + name)
        page.wait_for_load_state("networkidle")
        return page

    yield load
    context.close()
    outside = [url for url in requests if not url.startswith((served_site, "data:", "blob:"))]
    assert requests and not outside, f"requests that left the site: {outside}"
    assert not failures, f"failed requests: {failures}"


def test_start_page_renders_each_notebooks_first_cell(open_page):
    page = open_page("index.html")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "site-start.png", full_page=True)
    article = page.locator("article")
    text = article.inner_text()
    for name in ("00_start_here", "01_filters", "02_topk_occlusion", "07_high_res_cams"):
        title = nbformat.read(FIXTURES / f"{name}.json", as_version=4).cells[0].source
        title = title.splitlines()[0].removeprefix("# ")
        assert article.locator(f'h2 a[href="{name}.html"]').inner_text() == title
        thumbnail = article.locator(f'img[src$="{name}.png"]')
        assert thumbnail.evaluate("image => image.naturalWidth") > 0, name
    assert re.search(r"Time: 25 minutes · Run time: 21 s headless", text)
    # objectives' Markdown rendered: `quick` is code, not back-quoted text
    assert article.locator("li code", has_text="quick").count() >= 1
    assert "`quick`" not in text and "**" not in text
    failed = article.locator("div.error")
    assert failed.count() == 1
    assert "ZeroDivisionError: division by zero" in failed.inner_text()
    assert "\x1b" not in failed.inner_text() and "[31m" not in failed.inner_text()
    assert failed.locator('a[href="99_fails.html"]').count() == 1


def test_a_failed_notebook_shows_its_error_in_place(open_page):
    page = open_page("99_fails.html")
    note = page.locator("article div.error")
    assert "CellExecutionError: ZeroDivisionError: division by zero" in note.inner_text()
    failing_cell = page.locator("article div.cell", has_text="ratio = 1 / 0")
    assert "ZeroDivisionError" in failing_cell.locator(".cell_output").inner_text()


def test_search_finds_occlusion_from_02s_page(open_page):
    page = open_page("02_topk_occlusion.html")
    page.locator(".search-button__button").first.click()
    page.locator('input[name="q"]:visible').fill("occlusion")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q=occlusion"))
    page.wait_for_selector('#search-results a[href*="02_topk_occlusion"]', timeout=10_000)
    found = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    assert any("02_topk_occlusion.html" in url for url in found)


def test_07s_formulas_render_as_math(open_page):
    page = open_page("07_high_res_cams.html")
    notebook = nbformat.read(FIXTURES / "07_high_res_cams.json", as_version=4)
    displayed = sum(
        cell.source.count("$$") // 2 for cell in notebook.cells if cell.cell_type == "markdown"
    )
    assert displayed >= 1
    page.wait_for_selector("mjx-container", timeout=10_000)
    formulas = page.locator('article mjx-container[display="true"]')
    assert formulas.count() >= displayed
    formulas.first.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "site-07.png")  # its first displayed formula in view
    text = page.locator("article").inner_text()
    assert "$$" not in text and "\\frac" not in text and "\\sum" not in text


@pytest.mark.parametrize("name", ["02_topk_occlusion", "07_high_res_cams"])
def test_every_widget_is_drawn_and_every_explorer_shows_its_figure(open_page, name):
    page = open_page(f"{name}.html")
    notebook = json.loads((FIXTURES / f"{name}.json").read_text())
    state = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    explorers = sum(
        "widget-interact" in model["state"].get("_dom_classes", [])
        for model in state["state"].values()
    )
    views = page.locator(WIDGET_VIEW)
    assert views.count() >= explorers >= 1
    page.wait_for_function(
        f"[...document.querySelectorAll('{WIDGET_VIEW}')].every(s => "
        "s.previousElementSibling && s.previousElementSibling.matches('.widget-subarea') "
        "&& s.previousElementSibling.childElementCount > 0)",
        timeout=15_000,
    )
    drawn = page.locator(".widget-subarea .widget-interact")
    assert drawn.count() == explorers
    for index in range(explorers):
        image = drawn.nth(index).locator("img").first
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), (name, index)


def test_next_on_00_leads_to_01_and_pages_offer_colab_and_download(open_page):
    page = open_page("00_start_here.html")
    badge = page.locator('article img[src$="colab-badge.svg"]')
    assert badge.evaluate("img => img.naturalWidth") > 0
    assert (
        badge.locator("xpath=..")
        .get_attribute("href")
        .startswith("https://colab.research.google.com/github/")
    )
    download = page.locator('a[href$="_sources/00_start_here.ipynb"]')
    assert download.count() >= 1
    page.locator("a.right-next").click()
    page.wait_for_url(re.compile(r"01_filters\.html$"))
    assert page.locator("h1").first.inner_text().startswith("01 ·")
