"""Exports of the filtered view, each file read back with an independent reader (csv, json, xml.etree,
html.parser, PIL, python-pptx), and `events export` end to end on the seeds."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from events import exports, views
from events.cli import EXPORT_FORMATS, main
from events.pipeline import INCIDENT_COLUMNS, extract

KML = "{http://www.opengis.net/kml/2.2}"
NOW = datetime(2015, 11, 30, 12, 0, tzinfo=timezone.utc)
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """The seed corpus extracted once; ATLAS_CACHE_DIR stays set so `events export` reuses the cache."""
    old = os.environ.get("ATLAS_CACHE_DIR")
    os.environ["ATLAS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    try:
        yield extract("seeds", workers=1)
    finally:
        if old is None:
            del os.environ["ATLAS_CACHE_DIR"]
        else:
            os.environ["ATLAS_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def pngs(seeds):
    """(timeline, map) PNGs of the seeds, rendered once by kaleido."""
    timeline, geo = exports.export_figures(seeds.incidents, seeds.documents, static=True)
    return tuple(exports.render_pngs([timeline, geo], width=1200))


def export(fmt, extraction, state=views.FilterState(background=True), **kw):
    return exports.export_bytes(fmt, extraction.incidents, extraction.mentions, extraction.documents, state,
                                corpus="test-corpus", engine_version=extraction.engine_version, now=NOW, **kw)


def hostile(extraction):
    """The synthetic tables with markup and control characters in article-derived text."""
    incidents = extraction.incidents.copy()
    incidents.loc[0, "title"] = "Attack <script>alert('t')</script> & co"
    incidents.loc[0, "evidence"] = "Gunmen <img src=x onerror=alert(1)> struck\x0b \"here\"."
    docs = extraction.documents.copy()
    docs.loc[0, "url"] = "javascript:alert(1)"
    docs.loc[1, "url"] = "https://example.org/review?a=1&b=2"
    return incidents, docs


# ------------------------------------------------------------------------------------------------------------
# Entry point, provenance, CSV
# ------------------------------------------------------------------------------------------------------------


def test_formats_are_listed_by_the_cli_and_unknown_ones_are_refused(extraction):
    assert list(EXPORT_FORMATS) == list(exports.FORMATS)
    with pytest.raises(ValueError, match="csv, geojson, kml, timelinejs, acled, html, png-timeline, png-map, pptx"):
        export("docx", extraction)


def test_filter_summary_names_countries_types_and_months():
    state = views.FilterState(countries=("IQ",), types=("airstrike",), month_from="2015-10", min_killed=5, text="baiji")
    summary = exports.filter_summary(state)
    assert summary == 'months: 2015-10 to end; country: Iraq; type: Airstrike; at least 5 killed; text: "baiji"'
    assert exports.filter_summary(views.FilterState()) == "all incidents"


def test_csv_is_the_filtered_incident_table(extraction):
    state = views.FilterState(continents=("Asia",))
    data, mime, name = export("csv", extraction, state)
    assert mime == "text/csv" and name == "test-corpus-20151130-incidents.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == INCIDENT_COLUMNS
    assert {r["id"] for r in rows} == set(views.apply_filters(extraction.incidents, state)["id"])
    assert {r["continent"] for r in rows} == {"Asia"}
    assert next(r for r in rows if r["id"] == "inc-ankara")["killed"] == ""  # unknown stays unknown


# ------------------------------------------------------------------------------------------------------------
# GeoJSON, KML
# ------------------------------------------------------------------------------------------------------------


def test_geojson_points_lon_lat_and_counts_the_unplaced(extraction):
    data, mime, name = export("geojson", extraction)
    doc = json.loads(data)
    assert mime == "application/geo+json" and name.endswith(".geojson")
    assert doc["type"] == "FeatureCollection"
    ids = {f["id"] for f in doc["features"]}
    assert "inc-desert" not in ids and "inc-unplaced" not in ids and len(ids) == 7
    assert doc["metadata"]["left_out_without_coordinates"] == 2
    assert doc["metadata"]["engine_version"] == "synthetic" and doc["metadata"]["corpus"] == "test-corpus"
    assert doc["metadata"]["exported"] == "2015-11-30T12:00:00Z"
    paris = next(f for f in doc["features"] if f["id"] == "inc-paris")
    assert paris["geometry"] == {"type": "Point", "coordinates": [2.35, 48.85]}
    props = paris["properties"]
    assert {"id", "title", "type", "start", "end", "precision", "date_text", "place", "country", "killed", "injured",
            "sources", "evidence"} <= set(props)
    assert props["killed"] == 130 and props["injured"] is None and props["sources"] == "a01;b02"


def test_kml_placemarks_times_styles_and_escaped_descriptions(extraction):
    incidents, docs = hostile(extraction)
    view = views.apply_filters(incidents, views.FilterState())
    data = exports.to_kml(view, docs, exports.make_provenance("test-corpus", views.FilterState(), "synthetic",
                                                              len(view), len(view), now=NOW))
    root = ET.fromstring(data)  # well-formed despite the control character in the evidence
    document = root.find(f"{KML}Document")
    assert "Filters: all incidents" in document.findtext(f"{KML}description")
    assert "left out without coordinates: 2" in document.findtext(f"{KML}description")
    marks = {m.get("id"): m for m in document.findall(f"{KML}Placemark")}
    assert len(marks) == 7
    assert marks["inc-paris"].findtext(f"{KML}TimeStamp/{KML}when") == "2015-11-13"
    assert marks["inc-ankara"].findtext(f"{KML}TimeSpan/{KML}begin") == "2015-08-01"
    assert marks["inc-ankara"].findtext(f"{KML}TimeSpan/{KML}end") == "2015-08-31"
    assert marks["inc-paris"].findtext(f"{KML}Point/{KML}coordinates") == "2.350000,48.850000"
    styles = {s.get("id"): s.findtext(f"{KML}IconStyle/{KML}color") for s in document.findall(f"{KML}Style")}
    assert styles["type-attack"] == "ff005ed5"  # #D55E00 as aabbggrr
    assert marks["inc-paris"].findtext(f"{KML}styleUrl") == "#type-attack"
    # The balloon is HTML: article text arrives escaped, so Google Earth shows it as text.
    description = marks["inc-paris"].findtext(f"{KML}description")
    assert "<script" not in description and "&lt;img src=x" in description
    assert "<b>Casualties:</b> 89–130 killed (sources differ)" in description and "“Friday” (2015-11-13)" in description
    assert "Reported deaths:</b> 89 (Daily Test); 130 (Wire Test)" in description


# ------------------------------------------------------------------------------------------------------------
# TimelineJS, ACLED
# ------------------------------------------------------------------------------------------------------------


def test_timelinejs_fills_only_the_known_date_parts(extraction):
    data, _, name = export("timelinejs", extraction)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == exports.TIMELINEJS_COLUMNS and name.endswith("timelinejs.csv")
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert table[0]["Type"] == "title" and "synthetic" in table[0]["Text"]
    by_head = {r["Headline"]: r for r in table[1:]}
    assert len(by_head) == 8  # the undated shooting cannot go on a timeline
    day, month, season, year = by_head["Attack in Paris"], by_head["Bombing in Ankara"], by_head["Recapture in Kobani"], by_head["Bombing in Madrid"]
    assert (day["Year"], day["Month"], day["Day"], day["End Year"]) == ("2015", "11", "13", "")
    assert (month["Year"], month["Month"], month["Day"], month["End Year"]) == ("2015", "8", "", "")
    assert (season["Year"], season["Month"], season["End Year"], season["End Month"]) == ("2015", "3", "2015", "5")
    assert (year["Year"], year["Month"], year["Day"]) == ("2004", "", "")
    assert day["Display Date"] == "Friday" and month["Display Date"] == "In August"
    assert day["Group"] == "Attack" and "130 killed" in day["Text"]


def test_timelinejs_escapes_article_text(extraction):
    incidents, docs = hostile(extraction)
    data = exports.to_timelinejs(incidents, docs)
    assert b"<script" not in data and b"<img" not in data and b"&lt;img src=x" in data


def test_acled_columns_types_names_and_fatalities(extraction):
    data, _, name = export("acled", extraction)
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    assert reader.fieldnames == exports.ACLED_COLUMNS and name.endswith("acled.csv")
    rows = {r["location"] or r["notes"][:20]: r for r in reader}
    paris, kobani, ankara = rows["Paris"], rows["Kobani"], rows["Ankara"]
    assert paris["event_date"] == "2015-11-13" and paris["event_type"] == "Violence against civilians"
    assert paris["time_precision"] == "1" and paris["year"] == "2015" and paris["sub_event_type"] == "Attack"
    assert paris["event_id_cnty"].startswith("FRA") and paris["event_id_cnty"][3:].isdigit()
    assert paris["country"] == "France" and paris["admin1"] == "Ile-de-France" and paris["geo_precision"] == "1"
    # the sources say 89 and 130: ACLED's rule is the lowest figure, the notes keep both
    assert paris["fatalities"] == "89" and paris["source"] == "Daily Test; Wire Test"
    assert "89 (Daily Test); 130 (Wire Test)" in paris["notes"]
    # a month is coded at its middle with time_precision 3, not as the 1st (which would read as a known day)
    assert ankara["event_date"] == "2015-08-16" and ankara["time_precision"] == "3"
    assert kobani["sub_event_type"] == "Government regains territory"
    assert paris["latitude"] == "48.8500" and paris["longitude"] == "2.3500"
    assert paris["notes"].startswith("Gunmen attacked a concert hall")
    assert kobani["event_type"] == "Strategic developments" and kobani["country"] == "Syria"
    assert ankara["fatalities"] == "0" and "no fatality figure reported" in ankara["notes"]
    assert "“In August” (month: 2015-08-01 – 2015-08-31)" in ankara["notes"]
    assert all(r["event_date"] for r in rows.values())  # the undated shooting is left out


# ------------------------------------------------------------------------------------------------------------
# HTML briefing
# ------------------------------------------------------------------------------------------------------------


class _Resources(HTMLParser):
    """Every URL an HTML page could load (src, href, CSS url()) and every link, outside script text."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.scripts_with_src = 0
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts_with_src += 1
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs.get("class") or "", attrs["href"]))
        for key in ("src", "srcset", "data", "poster", "background", "action", "formaction"):
            if attrs.get(key):
                self.loads.append(attrs[key])
        if tag != "a" and attrs.get("href"):
            self.loads.append(attrs["href"])
        self.loads.extend(re.findall(r"url\(([^)]*)\)", attrs.get("style") or ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.loads.extend(re.findall(r"url\(([^)]*)\)", data) + re.findall(r"@import\s+([^;]+)", data))


def test_html_is_self_contained_and_escapes_article_text(extraction):
    incidents, docs = hostile(extraction)
    data, mime, name = exports.export_bytes("html", incidents, extraction.mentions, docs, views.FilterState(),
                                            corpus="test-corpus", engine_version="synthetic", now=NOW)
    page = data.decode("utf-8")
    assert mime == "text/html" and name.endswith("briefing.html")
    found = _Resources()
    found.feed(page)
    assert found.loads == [] and found.scripts_with_src == 0
    # the only links are to source articles, http(s) only: the manifest's javascript: URL is shown as text
    assert found.links == [("source-link", "https://example.org/review?a=1&b=2")]
    assert "javascript:alert(1)</span>" in page
    assert "window.PlotlyGeoAssets = {topojson: {\"world_110m\":" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # provenance and the notes on what the figures cannot show are visible
    assert "Filters:</b> all incidents" in page and "engine synthetic" in page and "2015-11-30T12:00:00Z" in page
    assert "2 incidents without coordinates not on the map" in page and "1 undated incident not on the timeline" in page


def test_html_filter_summary_and_rows_follow_the_state(extraction):
    data, _, _ = export("html", extraction, views.FilterState(countries=("FR",)))
    page = data.decode("utf-8")
    assert "country: France" in page and "1 of 9 incidents" in page
    table = page[page.index('<table id="incidents">'):]
    assert "Attack in Paris" in table and "Bombing in Madrid" not in table


@pytest.mark.browser
def test_html_draws_the_map_offline_in_chromium(extraction, tmp_path):
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise RuntimeError(f"CI is set but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing")
    sync_api = pytest.importorskip("playwright.sync_api")
    data, _, name = export("html", extraction)
    path = tmp_path / name
    path.write_bytes(data)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_function(
                "() => { const p = document.querySelector('.geolayer .countries path');"
                " return p && (p.getAttribute('d') || '').length > 1000; }", timeout=20000)
            points = page.evaluate("document.querySelectorAll('#map .scattergeo path.point').length")
            bars = page.evaluate("document.querySelectorAll('#timeline .point').length")
        finally:
            browser.close()
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
    assert points == 7 and bars >= 8


# ------------------------------------------------------------------------------------------------------------
# PNG and PPTX
# ------------------------------------------------------------------------------------------------------------


def _share_near(img, rgb, tol=6) -> float:
    rgb_img = img.convert("RGB")
    colours = rgb_img.getcolors(maxcolors=rgb_img.width * rgb_img.height)
    near = sum(n for n, c in colours if all(abs(a - b) <= tol for a, b in zip(c, rgb)))
    return near / (rgb_img.width * rgb_img.height)


def test_pngs_render_offline_with_world_outlines(pngs):
    from PIL import Image

    timeline, geo = pngs
    for data in pngs:
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(timeline)) as img:
        assert img.size[0] == 1200 and img.size[1] >= 250
    with Image.open(io.BytesIO(geo)) as img:
        assert img.size == (1200, 520)
        # land and ocean are drawn from the local topojson: without it plotly draws neither
        assert _share_near(img, (0xF2, 0xEF, 0xE9)) > 0.10 and _share_near(img, (0xE3, 0xEE, 0xF7)) > 0.05


def test_pptx_deck_has_title_summary_figures_key_incidents_and_sources(seeds, pngs):
    prov = exports.make_provenance("seeds", views.FilterState(), seeds.engine_version, len(seeds.incidents),
                                   len(seeds.incidents), now=NOW)
    deck = Presentation(io.BytesIO(exports.to_pptx(seeds.incidents, seeds.documents, prov, pngs=pngs, top=3)))
    slides = list(deck.slides)
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    pictures = [sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes) for slide in slides]
    assert len(slides) == 1 + 1 + 2 + 3 + 1
    assert "Incident briefing" in texts[0] and "All incidents" in texts[0] and "2015-11-30" in texts[0]
    assert seeds.engine_version not in texts[0]  # the engine's hash is provenance, kept in the file's properties
    assert seeds.engine_version in deck.core_properties.comments
    assert texts[1].startswith("Summary") and texts[2].startswith("Timeline") and texts[3].startswith("Map")
    assert pictures[2:4] == [1, 1]
    key = exports.key_incidents(seeds.incidents, top=3)
    for slide_text, title in zip(texts[4:7], key["title"]):
        assert slide_text.startswith(title) and "Date: “" in slide_text and re.search(r"\n\d+ sources?\n", slide_text)
    assert texts[-1].startswith("Sources") and "Newsweek" in texts[-1] and "https://www.newsweek.com/" in texts[-1]


def test_pptx_key_incidents_by_id(seeds, pngs):
    ids = list(seeds.incidents["id"][:2])
    assert list(exports.key_incidents(seeds.incidents, ids=ids[::-1])["id"]) == ids[::-1]
    with pytest.raises(ValueError, match="unknown incident id"):
        exports.key_incidents(seeds.incidents, ids=["inc-nope"])


# ------------------------------------------------------------------------------------------------------------
# The command line
# ------------------------------------------------------------------------------------------------------------


def test_cli_csv_with_country_filter_matches_the_dashboard(seeds, tmp_path, capsys):
    out = tmp_path / "iq.csv"
    assert main(["export", "seeds", "--format", "csv", "--country", "IQ", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) >= 2 and set(table["country"]) == {"IQ"}
    dashboard = views.apply_filters(seeds.incidents, views.parse_query({"country": "IQ"}))
    assert set(table["id"]) == set(dashboard["id"])
    assert f"{len(table)} of {len(seeds.incidents)} incidents" in capsys.readouterr().err


def test_cli_geojson_with_month_type_and_text_filters(seeds, tmp_path, capsys):
    out = tmp_path / "out.geojson"
    assert main(["export", "seeds", "--format", "geojson", "--from-month", "2015-10", "--to-month", "2015-11",
                 "--type", "Recapture", "--text", "sinjar", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    # the text search reads every mention's sentence too: a recapture whose mention names Sinjar is found as well
    titles = [f["properties"]["title"] for f in doc["features"]]
    assert "Recapture of Sinjar" in titles and all(t.startswith("Recapture") for t in titles)
    assert doc["metadata"]["filters"].startswith('months: 2015-10 to 2015-11; type: Recapture; text: "sinjar"')
    assert f"{len(titles)} of" in capsys.readouterr().err


def test_cli_reports_incidents_left_off_the_map(tmp_path, monkeypatch, capsys, extraction, synthetic_corpus):
    monkeypatch.setattr("events.pipeline.load_or_extract", lambda corpus, workers=0, progress=None: extraction)
    out = tmp_path / "x.kml"
    assert main(["export", str(synthetic_corpus), "--format", "kml", "--out", str(out)]) == 0
    assert "2 without coordinates left out" in capsys.readouterr().err
    ET.parse(out)


def test_cli_pptx_end_to_end(seeds, tmp_path):
    from pptx import Presentation

    out = tmp_path / "deck.pptx"
    assert main(["export", "seeds", "--format", "pptx", "--type", "recapture", "--top", "2", "--out", str(out)]) == 0
    deck = Presentation(str(out))
    assert len(deck.slides) == 1 + 1 + 2 + 2 + 1
    assert "type: Recapture" in "\n".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)


def test_cli_refuses_unknown_formats_and_bad_filters(tmp_path):
    with pytest.raises(SystemExit, match="unknown export format 'docx'; choose one of: csv, geojson, kml, "
                                         "timelinejs, acled, html, png-timeline, png-map, pptx"):
        main(["export", "seeds", "--format", "docx", "--out", str(tmp_path / "x")])
    with pytest.raises(SystemExit, match="--from-month '2015-13' is not YYYY-MM"):
        main(["export", "seeds", "--format", "csv", "--from-month", "2015-13"])
    with pytest.raises(SystemExit, match="--type 'parade' is not an incident type"):
        main(["export", "seeds", "--format", "csv", "--type", "parade"])


def test_kml_names_no_server(tmp_path):
    """Offline by default: the KML itself must not point a viewer at any web address."""
    import pandas as pd

    from events.exports import to_kml

    incidents = pd.DataFrame([{"id": "inc-1", "title": "Blast in Kabul", "type": "bombing", "start": "2019-09-05",
                               "end": "2019-09-05", "precision": "day", "date_text": "5 September 2019",
                               "place": "Kabul", "country": "AF", "lat": 34.53, "lon": 69.17, "killed": 10,
                               "injured": None, "sources": "a", "evidence": "A car bomb exploded."}])
    data = to_kml(incidents)
    assert b"http://" not in data.replace(b"http://www.opengis.net/kml/2.2", b"") and b"https://" not in data



def test_exports_leave_background_out_unless_shown(extraction):
    """As on the dashboard: history the articles recall (2001, 2004 here) only on request."""
    data, _, _ = export("csv", extraction, views.FilterState())
    ids = set(pd.read_csv(io.BytesIO(data))["id"])
    assert "inc-nyc" not in ids and "inc-madrid" not in ids and "inc-paris" in ids
    data, _, _ = export("csv", extraction, views.FilterState(background=True))
    assert {"inc-nyc", "inc-madrid"} <= set(pd.read_csv(io.BytesIO(data))["id"])


def test_text_search_of_exports_reads_the_mentions(extraction):
    mentions = extraction.mentions.copy()
    mentions.loc[mentions["incident_id"] == "inc-sinai", "sentence"] += " Wreckage near El Arish."
    data, _, _ = exports.export_bytes("csv", extraction.incidents, mentions, extraction.documents,
                                      views.FilterState(text="arish"), now=NOW)
    assert list(pd.read_csv(io.BytesIO(data))["id"]) == ["inc-sinai"]


def test_geojson_and_kml_carry_the_place_as_written_and_the_figures_as_reported(extraction):
    data, _, _ = export("geojson", extraction)
    props = {f["properties"]["id"]: f["properties"] for f in json.loads(data)["features"]}
    assert props["inc-paris"]["killed_as_reported"] == "89–130 (sources differ)"
    assert props["inc-paris"]["killed_lowest"] == 89 and props["inc-paris"]["place_written"] == "Paris"
    assert props["inc-paris"]["place_precision"] == "city"


def test_published_dates_that_were_inferred_say_so(extraction):
    docs = extraction.documents.copy()
    docs.loc[docs["doc"] == "b02", "date_source"] = "text"
    data, _, _ = exports.export_bytes("html", extraction.incidents, extraction.mentions, docs,
                                      views.FilterState(background=True), now=NOW)
    assert "2015-11-20, inferred from the text" in data.decode("utf-8")
    data, _, _ = exports.export_bytes("kml", extraction.incidents, extraction.mentions, docs,
                                      views.FilterState(background=True), now=NOW)
    assert "2015-11-20, inferred from the text" in data.decode("utf-8")


# ------------------------------------------------------------------------------------------------------------
# The deck (issue 10): geometry, fitted text, the summary's numbers
# ------------------------------------------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _text_height_in(frame, width_in: float) -> float:
    """The height (inches) a text frame's paragraphs need at their own font sizes, wrapped to `width_in`, measured
    with DejaVu Sans (wider than the deck's Calibri, so a pass here leaves room in PowerPoint and LibreOffice)."""
    from PIL import ImageFont

    total = 0.0
    for para in frame.paragraphs:
        size = max((r.font.size.pt for r in para.runs if r.font.size is not None), default=18.0)
        text = "".join(r.text for r in para.runs)
        font = ImageFont.truetype(str(DEJAVU), int(round(size * 10)))  # 10x for precision, in points
        width_pt = width_in * 72 * 10
        lines, line = 1, ""
        for word in text.split(" "):
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) <= width_pt or not line:
                line = candidate
            else:
                lines, line = lines + 1, word
        total += lines * size * 1.2 / 72
    return total


@pytest.fixture(scope="module")
def deck_bytes(seeds):
    prov = exports.make_provenance("seeds", views.FilterState(), seeds.engine_version, len(seeds.incidents),
                                   len(seeds.incidents), now=NOW)
    incidents = seeds.incidents.copy()
    # two sources disagreeing on the toll, whatever the engine reads from the seeds today
    incidents.loc[incidents["title"] == "Attack in Paris", "killed_reports"] = \
        "129 (003_4c61deea75733966); 132 (004_2a4348c5db242cb7)"
    incidents.loc[incidents["title"] == "Attack in Paris", "killed"] = 132
    view = exports.filtered_view(incidents, views.FilterState(), documents=seeds.documents)
    prov = exports.make_provenance("seeds", views.FilterState(), seeds.engine_version, len(view), len(seeds.incidents),
                                   now=NOW)
    deck = exports.DeckOptions(title="Islamic State: attacks abroad, losses at home", subtitle="Week of 16 November",
                               author="J. Analyst, Desk 4", marking="Official – for briefing only")
    return view, exports.to_pptx(view, seeds.documents, prov, top=3, deck=deck)


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans (fonts-dejavu-core) measures the deck's text")
def test_deck_fits_every_shape_and_text_in_its_slide(deck_bytes):
    from pptx import Presentation

    _, data = deck_bytes
    deck = Presentation(io.BytesIO(data))
    W, H = deck.slide_width, deck.slide_height
    for n, slide in enumerate(deck.slides, 1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (n, shape.name)
            assert shape.left + shape.width <= W and shape.top + shape.height <= H, (n, shape.name)
            if shape.has_text_frame and shape.text_frame.text.strip():
                frame = shape.text_frame
                width = (shape.width - frame.margin_left - frame.margin_right) / 914400
                room = (shape.height - frame.margin_top - frame.margin_bottom) / 914400
                need = _text_height_in(frame, width)
                assert need <= room + 0.05, (n, frame.text[:80], round(need, 2), round(room, 2))


def test_deck_has_the_analysts_title_slide_numbers_marking_and_locator_maps(deck_bytes):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    _, data = deck_bytes
    deck = Presentation(io.BytesIO(data))
    slides = list(deck.slides)
    texts = [" ".join(" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame).split()) for slide in slides]
    assert "Islamic State: attacks abroad, losses at home" in texts[0] and "Week of 16 November" in texts[0]
    assert "J. Analyst, Desk 4" in texts[0] and "Incident briefing" not in texts[0]
    assert all("OFFICIAL – FOR BRIEFING ONLY" in t and f"{i} / {len(slides)}" in t for i, t in enumerate(texts, 1))
    assert texts[1].startswith("Summary") and texts[2].startswith("Timeline") and texts[3].startswith("Map")
    pictures = [sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes) for slide in slides]
    assert pictures[2:4] == [1, 1] and all(p == 1 for p in pictures[4:7])  # a locator map on each incident slide
    paris = next(t for t in texts if t.startswith("Attack in Paris"))
    figures = re.search(r"Killed: 129–132 \(sources differ\) — 129 \(The Atlantic \[(\d+)\]\); "
                        r"132 \(Newsweek \[(\d+)\]\)", paris)
    assert figures, paris
    # the numbers cite the sources slide's entries
    assert f"[{figures.group(1)}] Why Did ISIS Attack Paris? The Atlantic" in texts[-1]
    assert f"[{figures.group(2)}] Paris Attacks: ISIS is not an Existential Threat Newsweek" in texts[-1]
    # the place as the sources write it and its country; the gazetteer's admin area ("Ile-de-France") beside it
    assert "Place: Paris, France — town or city" in paris and "Gazetteer: Ile-de-France, GeoNames" in paris
    assert "“" in paris
    assert texts[-1].startswith("Sources") and any(w in texts[-1] for w in ("inferred", "guessed", "date unknown"))


def test_deck_summary_numbers_equal_the_filtered_table(deck_bytes):
    from pptx import Presentation

    view, data = deck_bytes
    summary = " ".join(" ".join(s.text_frame.text for s in Presentation(io.BytesIO(data)).slides[1].shapes
                                if s.has_text_frame).split())
    lows, highs = [], []
    for best, reports in zip(view["killed"], view["killed_reports"].fillna("")):
        figures = [int(x.replace(",", "")) for x in re.findall(r"(\d[\d,]*)\s*\(", reports)]
        if figures and (pd.isna(best) or int(best) in figures):
            lows.append(min(figures))
            highs.append(max(figures))
        elif not pd.isna(best):
            lows.append(int(best))
            highs.append(int(best))
    killed = f"{sum(lows):,}" if sum(lows) == sum(highs) else f"{sum(lows):,}–{sum(highs):,}"
    assert f"Incidents: {len(view)} of " in summary and f"Killed: {killed}" in summary
    assert f"Countries: {view['country'].replace('', pd.NA).dropna().nunique()}" in summary
    first, last = view["start"].dropna().min(), view["end"].dropna().max()
    assert f"Dates: {first} – {last}" in summary
    counts = view["type_label"].value_counts()
    for label, count in counts.head(3).items():
        assert f"{count} {label}" in summary
