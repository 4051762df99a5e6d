"""The dashboard in a real browser: `streamlit run dashboard.py` on seeds/, driven by Playwright with Debian's
chromium. Checks the timeline and the offline map (country borders drawn from static/), a filter changing the
counts, a box selection on the timeline changing the map, the incident detail, and that no request leaves
localhost. Screenshots go to $ATLAS_SCREENSHOTS (default: a temporary folder).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard_server import ROOT, DashboardServer, free_port  # noqa: E402,F401

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots land in a temporary folder, so a test run leaves the tree clean; refresh the README's with
# ATLAS_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest -m browser
SHOTS = Path(os.environ.get("ATLAS_SCREENSHOTS") or Path(tempfile.gettempdir()) / "atlas-screenshots")
SHOTS.mkdir(parents=True, exist_ok=True)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError(f"CI is set but {CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); browser tests skipped outside CI",
                allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    dashboard = DashboardServer("seeds", tmp_path_factory.mktemp("streamlit") / "server.log", timeout=60)
    yield dashboard.start()
    dashboard.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    """A fresh session on the dashboard; every request the page makes is recorded and must stay on localhost."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    requests = record_requests(pg)
    pg.goto(server)
    wait_for_charts(pg)
    yield pg
    context.close()
    assert_stayed_local(requests)


def record_requests(pg) -> list[str]:
    """Every URL the page asks for from now on, websockets included (filled in as the page runs)."""
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("websocket", lambda ws: requests.append(ws.url))
    return requests


def assert_stayed_local(requests: list[str]) -> None:
    """No request left the machine, and the map's outlines came from the app's own static folder."""
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).hostname not in LOCAL_HOSTS]
    assert not outside, f"requests left the machine: {outside}"
    assert any(u.endswith("/app/static/world_110m.json") for u in requests), "world outlines not fetched from static/"


def wait_for_charts(pg, timeout: float = 90_000) -> None:
    pg.wait_for_selector("text=/Showing \\d+ of \\d+ incidents/", timeout=timeout)
    pg.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=timeout)
    # the geo layer draws countries once the topojson arrived
    pg.wait_for_function(
        "() => { const p = document.querySelector('.geolayer .countries path'); return p && (p.getAttribute('d') || '').length > 1000; }",
        timeout=timeout)
    settle(pg)


def settle(pg) -> None:
    """Wait until Streamlit has finished its rerun (no 'running' status) and the DOM is quiet."""
    pg.wait_for_timeout(400)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    pg.wait_for_timeout(600)


def count_text(pg) -> str:
    return pg.locator("text=/Showing \\d+ of \\d+ incidents/").first.inner_text()


def shown_total(pg) -> tuple[int, int]:
    import re

    m = re.search(r"Showing (\d+) of (\d+) incidents", count_text(pg))
    assert m, count_text(pg)
    return int(m.group(1)), int(m.group(2))


def faded_map_points(pg) -> tuple[int, int]:
    return pg.evaluate("""() => {
        const geo = document.querySelectorAll('.js-plotly-plot')[1];
        const pts = Array.from(geo.querySelectorAll('.scattergeo path.point'));
        const faded = pts.filter(p => parseFloat(getComputedStyle(p).opacity) < 0.5).length;
        return [faded, pts.length];
    }""")


def test_overview_has_timeline_and_offline_map_with_borders(page):
    layers = page.evaluate("""() => {
        const out = {};
        for (const name of ['land', 'countries', 'coastlines']) {
            const p = document.querySelector('.geolayer .' + name + ' path');
            out[name] = p ? (p.getAttribute('d') || '').length : 0;
        }
        return out;
    }""")
    assert layers["countries"] > 1000 and layers["coastlines"] > 1000 and layers["land"] > 1000, layers
    timeline = page.locator(".js-plotly-plot").first
    assert timeline.locator(".barlayer .point, .scatterlayer .point").count() > 0
    assert timeline.locator(".rangeslider-container").count() == 1
    shown, total = shown_total(page)
    assert 0 < shown <= total
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "overview.png"))


def test_filter_changes_counts_and_url(page):
    before, total = shown_total(page)
    box = page.get_by_label("Text in titles, mentions, actors, places")
    box.fill("Paris")
    box.press("Enter")
    # the opening count already differs from the total (background hidden): wait for this count to change and for
    # the URL to carry the search (it follows the rerun), not for a text that was never there
    page.wait_for_function(f"() => !document.body.innerText.includes('Showing {before} of {total}')", timeout=30_000)
    page.wait_for_url(lambda url: "q=Paris" in url, timeout=30_000)
    settle(page)
    shown, total_after = shown_total(page)
    assert total_after == total and 0 < shown < total
    assert "q=Paris" in page.url and "corpus=seeds" in page.url
    page.screenshot(path=str(SHOTS / "filtered.png"))
    # the URL reopens the same view in a new session
    page.goto(page.url)
    wait_for_charts(page)
    assert shown_total(page) == (shown, total)


def test_box_select_on_timeline_highlights_on_map(page):
    before, n_points = faded_map_points(page)
    assert before == 0 and n_points > 1
    timeline = page.locator(".js-plotly-plot").first
    timeline.hover()  # the toolbar shows on hover: drag selects once its box tool is on (a click selects one mark)
    timeline.locator('[data-title="Box Select"]').click()
    drag = timeline.locator(".nsewdrag").first
    box = drag.bounding_box()
    # a band across the right half of the visible window: some incidents, not all
    x0, x1 = box["x"] + box["width"] * 0.55, box["x"] + box["width"] * 0.99
    y0, y1 = box["y"] + 2, box["y"] + box["height"] - 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    page.wait_for_selector("text=/selected on the timeline/", timeout=30_000)
    settle(page)
    page.wait_for_function("""() => {
        const geo = document.querySelectorAll('.js-plotly-plot')[1];
        return Array.from(geo.querySelectorAll('.scattergeo path.point')).some(p => parseFloat(getComputedStyle(p).opacity) < 0.5);
    }""", timeout=30_000)
    after, _ = faded_map_points(page)
    assert 0 < after < n_points
    page.screenshot(path=str(SHOTS / "selection.png"))
    page.get_by_role("button", name="Clear selection").click()
    page.wait_for_function("() => !document.body.innerText.includes('selected on the timeline')", timeout=30_000)
    settle(page)
    assert faded_map_points(page)[0] == 0


def test_incident_detail_shows_evidence_in_context(page):
    picker = page.get_by_label("Incident detail (or click a row above)")
    picker.click()
    page.keyboard.type("Paris")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=/Sources\\s+\\d+ documents/", timeout=30_000)
    settle(page)
    page.locator("text=/Sources\\s+\\d+ documents/").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    marks = page.locator("mark, [data-testid='stMarkdownContainer'] span[class*='background'], strong")
    assert marks.count() > 0
    assert page.locator("script:text('alert')").count() == 0
    page.screenshot(path=str(SHOTS / "detail.png"))


# ----------------------------------------------------------------------------------------- issue 10

def plot_boxes(pg, index: int) -> dict:
    """The plot area and every axis tick label's box of the index-th plotly chart, in page pixels."""
    return pg.evaluate("""(i) => {
        const plot = document.querySelectorAll('.js-plotly-plot')[i];
        const r = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
        const bg = plot.querySelector('.main-svg');
        return {svg: r(bg), labels: Array.from(plot.querySelectorAll('.xtick text, .ytick text')).map(r),
                texts: Array.from(plot.querySelectorAll('.xtick text, .ytick text')).map(e => e.textContent)};
    }""", index)


def test_no_axis_label_of_the_timeline_is_clipped(page):
    for group in ("Type", "Country"):
        if group != "Type":
            page.get_by_label("Timeline rows by").click()
            page.get_by_role("option", name=group, exact=True).click()
            settle(page)
        boxes = plot_boxes(page, 0)
        left, top, right, bottom = boxes["svg"]
        assert boxes["labels"], "no tick labels drawn"
        for (l, t, r, b), text in zip(boxes["labels"], boxes["texts"]):
            assert l >= left - 0.5 and r <= right + 0.5 and t >= top - 0.5 and b <= bottom + 0.5, (text, boxes["svg"])


def test_map_has_a_legend_of_types_precision_and_size(page):
    items = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')[1]
        .querySelectorAll('.legend .legendtext')).map(e => e.textContent)""")
    assert "Attack" in items and "Recapture" in items, items
    key = page.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot')[1]
        .querySelectorAll('.annotation-text')).map(e => e.textContent).join(' ')""")
    assert "town or exact place" in key and "country or region centre (not the place)" in key, key
    assert "size: killed" in key
    page.locator(".js-plotly-plot").nth(1).screenshot(path=str(SHOTS / "map-legend.png"))


def test_click_on_a_map_mark_selects_it_and_opens_its_detail(page):
    point = page.evaluate("""() => {
        const geo = document.querySelectorAll('.js-plotly-plot')[1];
        const pts = Array.from(geo.querySelectorAll('.scattergeo path.point')).filter(p => !p.closest('.legend'));
        const big = pts.map(p => [p, p.getBoundingClientRect()]).sort((a, b) => b[1].width - a[1].width)[0];
        const b = big[1];
        return [b.left + b.width / 2, b.top + b.height / 2];
    }""")
    page.mouse.click(point[0], point[1])
    page.wait_for_selector("text=/1 selected on the map/", timeout=30_000)
    page.wait_for_selector("text=/Sources\\s+\\d+ documents/", timeout=30_000)
    settle(page)
    assert "open=inc-" in page.url and "sel=inc-" in page.url and "corpus=seeds" in page.url
    # the link opens the same corpus, selection and incident for a colleague
    heading = page.locator("h4").last.inner_text()
    page.goto(page.url)
    wait_for_charts(page)
    page.wait_for_selector("text=/selected by the link/", timeout=30_000)
    assert page.locator("h4").last.inner_text() == heading


def test_a_link_to_another_corpus_says_so(browser, server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        pg = context.new_page()
        pg.goto(server + "?corpus=no-such-corpus&country=IQ")
        pg.wait_for_selector("text=/names the corpus/", timeout=90_000)
        assert pg.locator(".js-plotly-plot").count() == 0
    finally:
        context.close()


def test_playback_moves_the_window(page):
    page.get_by_text("Playback and counts over time").click()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000)
    settle(page)
    title = lambda: page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[2]._fullLayout.title.text")
    shape = lambda: page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[2]._fullLayout.shapes[0].x0")
    page.evaluate("""() => { const g = document.querySelectorAll('.js-plotly-plot')[2];
        Plotly.animate(g, [g._transitionData._frames[0].name], {mode: 'immediate', frame: {duration: 0}}); }""")
    page.wait_for_timeout(500)
    first_title, first_x = title(), shape()
    page.locator(".js-plotly-plot").nth(2).locator(".updatemenu-button").first.click()  # ▶ Play
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot')[2]._fullLayout.title.text !== {first_title!r}",
                           timeout=30_000)
    # the window's shape moves with the frames (a loaded machine draws them late: wait for it, do not sleep)
    page.wait_for_function(f"() => String(document.querySelectorAll('.js-plotly-plot')[2]._fullLayout.shapes[0].x0)"
                           f" > {str(first_x)!r}", timeout=30_000)
    assert title() != first_title and str(shape()) > str(first_x)
    page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "playback.png"))


def test_print_layout_hides_the_sidebar_and_tools(page):
    page.get_by_text("Print layout").click()
    page.wait_for_selector("text=/printed \\d{4}-\\d{2}-\\d{2}/", timeout=30_000)
    settle(page)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "print.png"))
