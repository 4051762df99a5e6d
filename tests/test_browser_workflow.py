"""The analyst workflow in a real browser: `streamlit run dashboard.py` on a copy of seeds/ with its own extraction
cache and corrections database, driven by Playwright with Debian's chromium.

One story, in order: upload an article (and a bad file) and see its incident in the table and on the map; move an
incident to a place picked from the gazetteer and see it move on the map; restart the server and re-extract (a
deleted extraction cache, a new article) and find the correction still there; download every export of the view
and check each file's kind; no request leaves localhost. Screenshots go to $ATLAS_SCREENSHOTS/workflow-*.png.
"""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

import pytest

from events.settings import get_settings

pytestmark = pytest.mark.browser

# test_browser skips (or, in CI, fails) at import when chromium is missing, and this module with it.
from dashboard_server import DashboardServer  # noqa: E402
from test_browser import (  # noqa: E402
    LOCAL_HOSTS, ROOT, SHOTS, browser, settle, shown_total, wait_for_charts,
)

KABUL = ("Car bomb kills 10 in Kabul\n\n"
         "A car bomb exploded in Kabul on 5 September 2019, killing 10 people and injuring 42, officials said. "
         "The blast hit a checkpoint near the diplomatic quarter of the Afghan capital.\n")
LYON = ("Shooting in Lyon\n\n"
        "Gunmen opened fire on a crowd in Lyon on 2 June 2016, killing 3 people, police said.\n")
IZMIR = (38.41, 27.14)  # lat, lon
ANKARA = (39.92, 32.85)
KABUL_AT = (34.53, 69.17)
LYON_AT = (45.75, 4.85)


class Server(DashboardServer):
    """The dashboard on one corpus with its own cache and corrections database; restartable."""

    def __init__(self, workdir: Path) -> None:
        self.cache = workdir / "cache"
        self.db = workdir / "corrections.sqlite"
        env = dict(os.environ, ATLAS_CACHE_DIR=str(self.cache), ATLAS_CORRECTIONS_DB=str(self.db))
        super().__init__(workdir / "corpus", workdir / "server.log", env, timeout=60)


@pytest.fixture()
def server(tmp_path):
    shutil.copytree(ROOT / "seeds", tmp_path / "corpus")
    (tmp_path / "cache").mkdir()
    for path in Path(get_settings()["cache_dir"]).glob("gazetteer-*.pickle"):  # no 10 s index build per test
        shutil.copy(path, tmp_path / "cache" / path.name)
    srv = Server(tmp_path)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture()
def requests_seen():
    return []


def open_page(browser, url: str, requests: list[str]):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.goto(url)
    wait_for_charts(page)
    return page


def map_points(page) -> list[tuple[float, float]]:
    """(lat, lon) of every marker the map draws, from plotly's own data."""
    return [tuple(p) for p in page.evaluate("""() => {
        const geo = document.querySelectorAll('.js-plotly-plot')[1];
        const out = [];
        for (const t of geo._fullData || []) {
            if (t.type !== 'scattergeo' || !t.lat) continue;
            const lat = Array.from(t.lat), lon = Array.from(t.lon);
            lat.forEach((la, i) => { if (la !== null && lon[i] !== null) out.push([la, lon[i]]); });  // legend keys have no point
        }
        return out;
    }""")]


def near(points, where, tol=0.3) -> int:
    return sum(1 for la, lo in points if abs(la - where[0]) < tol and abs(lo - where[1]) < tol)


def wait_for_point(page, where, present: bool = True, timeout: float = 60_000) -> None:
    page.wait_for_function("""([lat, lon, present]) => {
        const geo = document.querySelectorAll('.js-plotly-plot')[1];
        if (!geo || !geo._fullData) return false;
        let found = false;
        for (const t of geo._fullData) {
            if (t.type !== 'scattergeo' || !t.lat) continue;
            const la = Array.from(t.lat), lo = Array.from(t.lon);
            la.forEach((v, i) => { if (Math.abs(v - lat) < 0.3 && Math.abs(lo[i] - lon) < 0.3) found = true; });
        }
        return found === present;
    }""", arg=[where[0], where[1], present], timeout=timeout)
    settle(page)


def expander(page, title: str):
    """Open the expander whose title holds `title` (when closed) and return it."""
    box = page.locator("[data-testid='stExpander']", has_text=title).first
    if box.locator("details").first.get_attribute("open") is None:
        box.locator("summary").first.click()
        page.wait_for_timeout(300)
    return box


def pick_detail(page, text: str) -> None:
    picker = page.get_by_label("Incident detail (or click a row above)")
    picker.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=/Sources\\s+\\d+ documents/", timeout=30_000)
    settle(page)


def detail_options(page, text: str) -> list[str]:
    """The incidents the table lists whose title matches `text` (the detail picker offers exactly the table's rows)."""
    picker = page.get_by_label("Incident detail (or click a row above)")
    picker.click()
    page.keyboard.type(text)
    page.wait_for_timeout(300)
    options = page.locator("[role='option']").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def upload(page, files: list[tuple[str, str | bytes]]) -> None:
    add = expander(page, "Add articles")
    page.locator("[data-testid='stSidebar'] input[type='file']").first.set_input_files([
        {"name": name, "mimeType": "text/plain", "buffer": data.encode() if isinstance(data, str) else data}
        for name, data in files])
    page.wait_for_timeout(500)
    add.get_by_role("button", name="Add to corpus").click()


def test_upload_correct_restart_reextract_export(server, browser, requests_seen, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(browser, server.url, requests_seen)
    _, total = shown_total(page)
    assert near(map_points(page), KABUL_AT) == 0

    # 1. upload a good article and an empty one: each has its outcome; the good one's incident appears
    upload(page, [("../kabul-car-bomb.txt", KABUL), ("empty.txt", b"")])
    page.wait_for_selector("text=/kabul-car-bomb.txt: added/", timeout=60_000)
    page.wait_for_function(f"() => /Showing \\d+ of {total + 1} incidents/.test(document.body.innerText)",
                           timeout=60_000)
    wait_for_point(page, KABUL_AT)
    assert page.locator("text=/empty.txt: not added: empty file/").count() == 1
    assert (server.corpus / "kabul-car-bomb.txt").is_file() and not (tmp_path / "kabul-car-bomb.txt").exists()
    assert any("Kabul" in o for o in detail_options(page, "Kabul"))
    page.locator("[data-testid='stSidebar']").screenshot(path=str(SHOTS / "workflow-upload.png"))

    # 2. move the Ankara attack to Izmir, picked from the gazetteer: the map marker moves
    points = map_points(page)
    at_ankara = near(points, ANKARA)
    assert at_ankara >= 1 and near(points, IZMIR) == 0
    pick_detail(page, "Attack in Ankara")
    panel = expander(page, "Correct this incident")
    panel.get_by_role("tab", name="Place").click()
    search = panel.get_by_label("Search the gazetteer")
    search.fill("Izmir")
    search.press("Enter")
    page.wait_for_function("() => Array.from(document.querySelectorAll('input')).some(i => (i.value || '').startsWith('Izmir —'))",
                           timeout=30_000)
    settle(page)
    panel.get_by_role("combobox", name="Place").click()  # the best match may be the province: pick the city
    page.locator("[role='option']", has_text="city").filter(has_text="Izmir").first.click()
    settle(page)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "workflow-correct.png"), full_page=False)
    panel.get_by_role("button", name="Move to this place").click()
    page.wait_for_selector("text=/Moved to .zmir/", timeout=30_000)
    wait_for_point(page, IZMIR)
    points = map_points(page)
    assert near(points, IZMIR) == 1 and near(points, ANKARA) == at_ankara - 1
    page.get_by_text("Incident atlas", exact=True).first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "workflow-map-moved.png"))
    page.context.close()

    # 3. restart the server with the extraction cache deleted: the correction is replayed on the new extraction
    server.stop()
    shutil.rmtree(server.cache / "extractions", ignore_errors=True)
    server.start()
    page = open_page(browser, server.url, requests_seen)
    wait_for_point(page, IZMIR)
    assert near(map_points(page), ANKARA) == at_ankara - 1

    # 4. re-extraction with a new article: still corrected, and the new incident is there too
    _, total = shown_total(page)
    upload(page, [("lyon.txt", LYON)])
    page.wait_for_selector("text=/lyon.txt: added/", timeout=60_000)
    wait_for_point(page, LYON_AT)
    assert shown_total(page)[1] > total
    points = map_points(page)
    assert near(points, IZMIR) == 1 and near(points, KABUL_AT) == 1 and near(points, ANKARA) == at_ankara - 1
    audit = expander(page, "Audit (1 correction, ")  # place, admin1, lat, lon, geonameid, precision, as written (still TR)
    audit.get_by_text("Undo my last correction").wait_for(timeout=30_000)
    audit.scroll_into_view_if_needed()
    audit.screenshot(path=str(SHOTS / "workflow-audit.png"))

    # 5. every export of the view downloads, non-empty and of the right kind
    exports = expander(page, "Export the filtered view")
    exports.scroll_into_view_if_needed()
    for name in ("Timeline PNG", "Map PNG", "PowerPoint"):
        exports.get_by_role("button", name=f"Prepare {name}").click()
        exports.get_by_role("button", name=name, exact=True).wait_for(timeout=60_000)
        settle(page)
    exports.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "workflow-exports.png"))
    files = {}
    for label in ("CSV", "GeoJSON", "KML", "TimelineJS", "ACLED CSV", "HTML briefing", "Timeline PNG", "Map PNG",
                  "PowerPoint"):
        with page.expect_download(timeout=60_000) as info:
            exports.get_by_role("button", name=label, exact=True).click()
        path = tmp_path / "downloads" / info.value.suggested_filename
        info.value.save_as(path)
        files[label] = path.read_bytes()
    assert all(len(data) > 100 for data in files.values()), {k: len(v) for k, v in files.items()}
    assert files["CSV"].decode("utf-8-sig").startswith("id,title,")
    assert "zmir" in files["CSV"].decode("utf-8-sig") and b"Kabul" in files["CSV"]
    geo = json.loads(files["GeoJSON"])
    assert geo["type"] == "FeatureCollection" and any(
        abs(f["geometry"]["coordinates"][0] - IZMIR[1]) < 0.3 for f in geo["features"] if f.get("geometry"))
    assert ET.fromstring(files["KML"]).tag.endswith("kml")
    assert files["TimelineJS"].decode("utf-8-sig").startswith("Year,Month,Day")
    assert files["ACLED CSV"].decode("utf-8-sig").startswith("event_id_cnty,event_date,")  # ACLED's own column order
    assert b"<html" in files["HTML briefing"][:500].lower()
    assert files["Timeline PNG"].startswith(b"\x89PNG") and files["Map PNG"].startswith(b"\x89PNG")
    assert files["PowerPoint"].startswith(b"PK")
    page.context.close()

    outside = [u for u in requests_seen if urlparse(u).scheme in ("http", "https", "ws", "wss")
               and urlparse(u).hostname not in LOCAL_HOSTS]
    assert not outside, f"requests left the machine: {outside}"
