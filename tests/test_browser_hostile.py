"""A hostile article in a real browser (issue 13 item 4): its first line is a tracking image, its manifest publisher
a masked link and another image; opening its incident must not make the browser fetch anything beyond localhost,
and no link may show other text than where it leads."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from events.settings import get_settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
# test_browser skips (or, in CI, fails) at import when chromium is missing, and this module with it.
from test_browser import LOCAL_HOSTS, SHOTS, browser, settle, wait_for_charts  # noqa: E402,F401
from dashboard_server import DashboardServer  # noqa: E402

pytestmark = pytest.mark.browser

ARTICLE = ("![p](http://attacker.example/beacon.png)\n\n"
           "A car bomb exploded at a market in Mombasa on 4 May 2021, killing 7 people, police said. "
           "The blast damaged shops near the port.\n")
OTHER = "Bus attack\n\nGunmen attacked a bus near Garissa on 2 June 2021, killing 4 passengers.\n"
MANIFEST = ("file,title,publisher,published,url\n"
            "beacon.txt,,\"[Daily Wire](http://attacker.example/masked) ![q](http://attacker.example/pub.png)\","
            "2021-05-05,http://attacker.example/source\n")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "beacon.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "other.txt").write_text(OTHER, encoding="utf-8")  # two incidents: the count reads "incidents"
    (corpus / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    cache = base / "cache"
    cache.mkdir()
    for path in Path(get_settings()["cache_dir"]).glob("gazetteer-*.pickle"):  # no 10 s index build
        shutil.copy(path, cache / path.name)
    env = {**os.environ, "ATLAS_CACHE_DIR": str(cache), "ATLAS_CORRECTIONS_DB": str(base / "corrections.sqlite")}
    dashboard = DashboardServer(corpus, base / "server.log", env)
    yield dashboard.start()
    dashboard.stop()

def test_opening_a_hostile_article_requests_nothing_beyond_localhost(browser, hostile_server):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    try:
        page.goto(hostile_server)
        wait_for_charts(page, timeout=180_000)
        picker = page.get_by_label("Incident detail (or click a row above)")
        picker.click()
        page.keyboard.type("Mombasa")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=/Sources\\s+\\d+ documents/", timeout=60_000)
        settle(page)
        page.locator("text=/Sources\\s+\\d+ documents/").first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(1500)  # time for any image the page would load
        assert page.get_by_text("attacker.example", exact=False).count() > 0  # shown, as text
        assert page.locator("img[src*='attacker']").count() == 0  # no image from article or manifest text
        # bare URLs may show as links (as written; a click is the analyst's choice), but no masked link
        links = page.locator("a[href*='attacker']").evaluate_all("els => els.map(e => [e.href, e.textContent])")
        assert all(href.rstrip("/") == text.strip().rstrip("/") for href, text in links), links
        page.screenshot(path=str(SHOTS / "hostile-detail.png"))
    finally:
        context.close()
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).hostname not in LOCAL_HOSTS]
    assert requests and not outside, f"requests left the machine: {outside}"
