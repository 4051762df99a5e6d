"""The dashboard on an incident dataset (Parquet + DuckDB) in a real browser: the world map draws a few hundred marks
(cells of every type once by type they would be too many), each mark's hover says how many incidents of which types
it holds, a click selects them, the timeline draws without a range slider, and no request leaves localhost.
Screenshots go to $ATLAS_SCREENSHOTS (default: a temporary folder)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard_server import DashboardServer  # noqa: E402
from test_browser import CHROMIUM, SHOTS, assert_stayed_local, record_requests, settle  # noqa: E402  (skips without chromium)
from test_warehouse import random_extraction  # noqa: E402

from events.warehouse import write_dataset  # noqa: E402

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
N = 3000  # incidents: by type and 20-degree cell they need more than the page's 400 world marks


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("dataset-browser")
    ex = random_extraction(n=N, seed=5)
    rng = random.Random(5)
    placed = ex.incidents["lat"].notna()
    # spread the incidents over the whole world (the sample places are a handful of towns)
    ex.incidents.loc[placed, "lat"] = [rng.uniform(-60, 70) for _ in range(int(placed.sum()))]
    ex.incidents.loc[placed, "lon"] = [rng.uniform(-180, 180) for _ in range(int(placed.sum()))]
    folder = write_dataset(ex, root / "atlas", corpus=str(root / "wire-2031"))
    env = dict(__import__("os").environ, ATLAS_CORRECTIONS_DB=str(root / "corrections.sqlite"))
    dashboard = DashboardServer(folder, root / "server.log", env=env, timeout=90)
    yield dashboard.start()
    dashboard.stop()


@pytest.fixture()
def page(server):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        pg = context.new_page()
        requests = record_requests(pg)
        pg.goto(server)
        pg.wait_for_selector("text=/Showing [\\d,]+ of [\\d,]+ incidents/", timeout=90_000)
        pg.wait_for_function("""() => { const p = document.querySelectorAll('.js-plotly-plot');
            if (p.length < 2) return false; const b = p[1].querySelector('.geolayer .countries path');
            return !!b && (b.getAttribute('d') || '').length > 1000 && p[1].querySelectorAll('.scattergeo path.point').length > 0; }""",
                             timeout=90_000)
        settle(pg)
        yield pg
        browser.close()
    assert_stayed_local(requests)


def map_marks(pg) -> list[list[float]]:
    """Centre and width of each incident mark on the map (not the legend's)."""
    return pg.evaluate("""() => {
        const geo = document.querySelectorAll('.js-plotly-plot')[1];
        return Array.from(geo.querySelectorAll('.scattergeo path.point')).filter(p => !p.closest('.legend'))
            .map(p => p.getBoundingClientRect()).filter(b => b.width > 0)
            .map(b => [b.left + b.width / 2, b.top + b.height / 2, b.width]);
    }""")


def hover_lines(pg) -> list[str]:
    """The lines of the hover label shown (plotly writes them as SVG text lines)."""
    pg.wait_for_selector(".hoverlayer .hovertext", timeout=10_000)
    return pg.evaluate("""() => { const h = document.querySelector('.hoverlayer .hovertext text');
        const lines = h.querySelectorAll('tspan.line'); return lines.length ? [...lines].map(t => t.textContent)
        : [h.textContent]; }""")


def test_world_map_draws_few_marks_that_say_what_they_hold(page):
    marks = map_marks(page)
    assert 0 < len(marks) <= 400, len(marks)
    caption = page.locator("text=/placed incidents in [\\d,]+ marks/").first.inner_text()
    assert "all types in one mark" in caption, caption
    timeline = page.locator(".js-plotly-plot").first
    assert timeline.locator(".barlayer .point, .scatterlayer .point").count() > 0
    assert timeline.locator(".rangeslider-container").count() == 0  # it drew every mark a second time
    x, y, _ = max(marks, key=lambda m: m[2])
    page.mouse.move(x, y)
    hover = hover_lines(page)
    assert "incidents in the" in hover[0] and "select to pick" in hover[-1], hover
    held = int(hover[0].split()[0].replace(",", ""))
    named = [line for line in hover[1:-2] if line.rsplit(" ", 1)[-1].replace(",", "").isdigit()]
    assert named and sum(int(line.rsplit(" ", 1)[-1].replace(",", "")) for line in named) == held, hover
    page.screenshot(path=str(SHOTS / "dataset-world-map-hover.png"))


def test_click_on_a_world_mark_selects_its_incidents(page):
    x, y, _ = max(map_marks(page), key=lambda m: m[2])
    page.mouse.move(x, y)
    held = int(hover_lines(page)[0].split()[0].replace(",", ""))
    page.mouse.click(x, y)
    page.wait_for_selector("text=/selected on the map/", timeout=60_000)
    settle(page)
    assert f"{held:,} selected on the map" in page.locator("text=/selected on the map/").first.inner_text()
