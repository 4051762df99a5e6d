"""Exports of the current filtered view: pure functions from tables and a filter state to file bytes.

`export_bytes(fmt, incidents, mentions, documents, state, ...)` filters the incident table with
`views.apply_filters` (so the command line and the dashboard export exactly what the dashboard shows) and returns
`(bytes, mime type, suggested file name)`. One function per format does the writing:

| format | function | what |
|---|---|---|
| `csv` | `to_csv` | the filtered incident table (every column of `pipeline.INCIDENT_COLUMNS`) |
| `geojson` | `to_geojson` | RFC 7946 FeatureCollection of Points; provenance in the `metadata` foreign member |
| `kml` | `to_kml` | KML 2.2 Placemarks with TimeStamp (day) or TimeSpan, styled by incident type |
| `timelinejs` | `to_timelinejs` | the TimelineJS Google-Sheets template as CSV |
| `acled` | `to_acled` | ACLED-style CSV (`ACLED_COLUMNS`) |
| `html` | `to_html` | a self-contained offline briefing: plotly.js and the world outlines inlined |
| `png-timeline`, `png-map` | `timeline_png`, `map_png` | images rendered by kaleido with the system Chromium |
| `pptx` | `to_pptx` | a briefing deck (python-pptx) |

Article text is untrusted: every format that a program interprets as markup (HTML, KML descriptions, TimelineJS
text) escapes it, and characters XML cannot hold are dropped. Every format that can carry it records where the
export came from (`Provenance`: corpus, filter summary, export time, engine version); plain CSV cannot.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from events import views
from events.lexicon import default_lexicon
from events.pipeline import INCIDENT_COLUMNS
from events.settings import DATA_DIR

STATIC_DIR = DATA_DIR.parent / "static"

ACLED_COLUMNS = ["event_date", "event_type", "country", "admin1", "location", "latitude", "longitude", "source",
                 "notes", "fatalities"]
TIMELINEJS_COLUMNS = ["Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date",
                      "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group",
                      "Background"]
KML_NS = "http://www.opengis.net/kml/2.2"

# --------------------------------------------------------------------------------------------------------------
# Provenance and small helpers
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where an export came from; shown or embedded wherever the format allows."""

    corpus: str = ""
    filters: str = "all incidents"
    exported: str = ""  # ISO 8601, UTC, to the second
    engine_version: str = ""
    shown: int = 0  # incidents in the export
    total: int = 0  # incidents in the corpus

    def lines(self) -> list[str]:
        out = [f"Corpus: {self.corpus or '(unnamed)'}", f"Filters: {self.filters}",
               f"Incidents: {self.shown} of {self.total}", f"Exported: {self.exported}"]
        if self.engine_version:
            out.append(f"Engine: {self.engine_version}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "filters": self.filters, "exported": self.exported,
                "engine_version": self.engine_version, "incidents": self.shown, "incidents_in_corpus": self.total}


def filter_summary(state: views.FilterState, names: Mapping[str, str] | None = None,
                   labels: Mapping[str, str] | None = None, selection: Sequence[str] | None = None) -> str:
    """A filter state in words: 'country: Kenya; months: 2019-01 to 2019-02; text: "hotel"' or 'all incidents'."""
    names = names if names is not None else _country_names()
    labels = labels or {}
    lexicon = default_lexicon()
    parts = []
    if state.sources:
        parts.append("sources: " + ", ".join(labels.get(s, s) for s in state.sources))
    if state.month_from or state.month_to:
        parts.append(f"months: {state.month_from or 'start'} to {state.month_to or 'end'}")
    if state.continents:
        parts.append("continent: " + ", ".join(state.continents))
    if state.countries:
        parts.append("country: " + ", ".join(names.get(c, c) for c in state.countries))
    if state.admin1s:
        parts.append("admin area: " + ", ".join(state.admin1s))
    if state.types:
        parts.append("type: " + ", ".join(lexicon.label(t) for t in state.types))
    if state.min_killed:
        parts.append(f"at least {state.min_killed} killed")
    if state.text.strip():
        parts.append(f"text: \"{state.text.strip()}\"")
    if selection is not None:
        parts.append(f"selection of {len(selection)} incident{'s' if len(selection) != 1 else ''}")
    return "; ".join(parts) or "all incidents"


def make_provenance(corpus: str, state: views.FilterState, engine_version: str = "", shown: int = 0, total: int = 0,
                    now: datetime | None = None, labels: Mapping[str, str] | None = None,
                    selection: Sequence[str] | None = None) -> Provenance:
    now = now or datetime.now(timezone.utc)
    return Provenance(corpus=corpus, filters=filter_summary(state, labels=labels, selection=selection),
                      exported=now.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                      engine_version=engine_version, shown=shown, total=total)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    return views.country_names()


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: Any) -> str:
    """A cell as clean text: missing values are '', characters XML cannot hold are dropped."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return _XML_BAD.sub("", str(value))


def _int(value: Any) -> int | None:
    return int(value) if views._is_number(value) else None


def _float(value: Any) -> float | None:
    return float(value) if views._is_number(value) else None


def _has_point(row: Mapping[str, Any]) -> bool:
    return _float(row.get("lat")) is not None and _float(row.get("lon")) is not None


def _source_ids(row: Mapping[str, Any]) -> list[str]:
    return [s for s in _text(row.get("sources")).split(";") if s]


def _doc_meta(documents: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    if documents is None or not len(documents):
        return {}
    return {_text(r["doc"]): {k: _text(r.get(k)) for k in ("title", "publisher", "published", "url")}
            for r in documents.to_dict("records")}


def _publisher_or_title(meta: Mapping[str, str], doc: str) -> str:
    return meta.get("publisher") or meta.get("title") or doc


def date_interval(row: Mapping[str, Any]) -> str:
    """'2015-11-13' for a day, '2015-08-01 – 2015-08-31' for a longer date, '' when undated."""
    start, end = _text(row.get("start")), _text(row.get("end"))
    if not start:
        return ""
    return start if not end or end == start else f"{start} – {end}"


def date_as_written(row: Mapping[str, Any]) -> str:
    """'“In August” (month: 2015-08-01 – 2015-08-31)': the date as the source wrote it and what it denotes."""
    written, interval = _text(row.get("date_text")), date_interval(row)
    if not interval:
        return "undated"
    precision = _text(row.get("precision"))
    denotes = f"{precision}: {interval}" if precision and precision != "day" else interval
    return f"“{written}” ({denotes})" if written else denotes


def reports_text(reports: str, meta: Mapping[str, Mapping[str, str]]) -> str:
    """'129 (003); 132 (000)' -> '129 (The Atlantic); 132 (The Islamic State is …)' naming each source."""
    out = []
    for figure, docs in views.parse_reports(reports):
        names = [_short(_publisher_or_title(meta.get(d, {}), d), 40) for d in docs]
        out.append(f"{figure} ({', '.join(names)})")
    return "; ".join(out)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def place_text(row: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """'Sinjār, Ninawa, Iraq': place, admin area and country name, each once."""
    names = names if names is not None else _country_names()
    country = _text(row.get("country"))
    parts: list[str] = []
    for part in (_text(row.get("place")), _text(row.get("admin1")), names.get(country, country)):
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts)


def _sort_for_export(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(_s=frame["start"].fillna("9999")).sort_values(["_s", "id"], kind="stable").drop(columns="_s")


def left_out(fmt: str, incidents: pd.DataFrame) -> dict[str, int]:
    """What a format cannot show: {'without coordinates': n} or {'undated': n} (only non-zero counts)."""
    out: dict[str, int] = {}
    rows = incidents.to_dict("records")
    if fmt in ("geojson", "kml", "png-map"):
        out["without coordinates"] = sum(not _has_point(r) for r in rows)
    if fmt in ("timelinejs", "acled", "png-timeline"):
        out["undated"] = sum(not _text(r.get("start")) for r in rows)
    return {k: v for k, v in out.items() if v}


# --------------------------------------------------------------------------------------------------------------
# Tables: CSV, TimelineJS, ACLED
# --------------------------------------------------------------------------------------------------------------


def to_csv(incidents: pd.DataFrame) -> bytes:
    """The incident table as UTF-8 CSV, its columns in `pipeline.INCIDENT_COLUMNS` order."""
    columns = [c for c in INCIDENT_COLUMNS if c in incidents.columns]
    columns += [c for c in incidents.columns if c not in columns and not str(c).startswith("_")]
    return incidents[columns].to_csv(index=False).encode("utf-8")


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _date_parts(iso: str) -> tuple[str, str, str]:
    d = date.fromisoformat(iso)
    return str(d.year), str(d.month), str(d.day)


def timelinejs_dates(row: Mapping[str, Any]) -> tuple[str, str, str, str, str, str]:
    """(Year, Month, Day, End Year, End Month, End Day) filled only as far as the date is known."""
    start, end, precision = _text(row.get("start")), _text(row.get("end")), _text(row.get("precision"))
    if not start:
        return ("",) * 6
    y, m, d = _date_parts(start)
    ey, em, ed = _date_parts(end or start)
    if precision == "day" or (precision == "" and start == (end or start)):
        return y, m, d, "", "", ""
    if precision == "month":
        return y, m, "", "", "", ""
    if precision == "year":
        return y, "", "", "", "", ""
    if precision == "week":
        return y, m, d, ey, em, ed
    if precision in ("season", "quarter"):
        return y, m, "", ey, em, ""
    # decade, century, or anything else spanning years
    return y, "", "", ey, "", ""


def to_timelinejs(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                  provenance: Provenance | None = None) -> bytes:
    """The TimelineJS Google-Sheets template as CSV: a title slide, then one dated incident per row.

    Display Date is the date as written; Text is HTML (TimelineJS renders it), so every value is escaped.
    Undated incidents cannot be placed on a timeline and are left out (`left_out`).
    """
    meta = _doc_meta(documents)
    rows: list[list[str]] = []
    if provenance is not None:
        text = "<br>".join(html.escape(line) for line in provenance.lines()[1:])
        rows.append(["", "", "", "", "", "", "", "", "", html.escape(f"Incidents: {provenance.corpus or 'corpus'}"),
                     text, "", "", "", "", "title", "", ""])
    for row in _sort_for_export(incidents).to_dict("records"):
        if not _text(row.get("start")):
            continue
        y, m, d, ey, em, ed = timelinejs_dates(row)
        sources = [_publisher_or_title(meta.get(s, {}), s) for s in _source_ids(row)]
        place = place_text(row)
        text = "<br>".join(html.escape(part) for part in (
            f"Place: {place or 'unknown'}",
            f"Casualties: {views.casualties_text(row.get('killed'), row.get('injured'))}",
            f"Sources: {'; '.join(sources)}",
        ))
        evidence = _text(row.get("evidence"))
        if evidence:
            text += f"<br><i>“{html.escape(evidence)}”</i>"
        rows.append([y, m, d, "", ey, em, ed, "", _text(row.get("date_text")) or date_interval(row),
                     html.escape(_text(row.get("title"))), text, "", "", "", "", "",
                     _text(row.get("type_label")) or _text(row.get("type")), ""])
    return _csv_bytes(TIMELINEJS_COLUMNS, rows)


def to_acled(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
             names: Mapping[str, str] | None = None) -> bytes:
    """ACLED-style CSV with exactly `ACLED_COLUMNS`.

    - event_date: the first day of the incident's interval (ISO, as ACLED's API writes dates); the date as written
      and its precision are kept in notes, since ACLED's time_precision column is not part of this layout.
    - event_type: `acled_event_type` of the incident type in data/incident_types.csv.
    - country: the country's name (data/countries.csv); location: the place name.
    - source: publishers (the title where a document has no publisher) of the source documents, '; '-joined.
    - notes: the evidence sentence, then the date as written and every reported casualty figure.
    - fatalities: the largest reported death toll, 0 when none is reported (ACLED's convention: 0 means no
      fatalities were reported, not that none occurred). Notes say "no fatality figure reported" then.
    Undated incidents cannot be given an event_date and are left out (`left_out`).
    """
    names = names if names is not None else _country_names()
    lexicon = default_lexicon()
    meta = _doc_meta(documents)
    out = []
    for row in _sort_for_export(incidents).to_dict("records"):
        start = _text(row.get("start"))
        if not start:
            continue
        kind = _text(row.get("type"))
        found = lexicon.types.get(kind)
        sources: list[str] = []
        for s in _source_ids(row):
            name = _publisher_or_title(meta.get(s, {}), s)
            if name not in sources:
                sources.append(name)
        killed = _int(row.get("killed"))
        notes = [_text(row.get("evidence"))]
        notes.append(f"[date as written: {date_as_written(row)}]")
        reports = reports_text(_text(row.get("killed_reports")), meta)
        notes.append(f"[killed reported: {reports}]" if reports else "[no fatality figure reported]")
        lat, lon = _float(row.get("lat")), _float(row.get("lon"))
        country = _text(row.get("country"))
        out.append([start, found.acled_event_type if found else "", names.get(country, country),
                    _text(row.get("admin1")), _text(row.get("place")),
                    "" if lat is None else f"{lat:.4f}", "" if lon is None else f"{lon:.4f}",
                    "; ".join(sources), " ".join(n for n in notes if n), killed if killed is not None else 0])
    return _csv_bytes(ACLED_COLUMNS, out)


# --------------------------------------------------------------------------------------------------------------
# GeoJSON and KML
# --------------------------------------------------------------------------------------------------------------


def to_geojson(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
               provenance: Provenance | None = None) -> bytes:
    """An RFC 7946 FeatureCollection of Points ([lon, lat]); incidents without coordinates are left out and
    counted in the `metadata` foreign member, which also carries the provenance."""
    meta = _doc_meta(documents)
    features = []
    rows = _sort_for_export(incidents).to_dict("records")
    for row in rows:
        if not _has_point(row):
            continue
        ids = _source_ids(row)
        props = {
            "id": _text(row.get("id")), "title": _text(row.get("title")), "type": _text(row.get("type")),
            "type_label": _text(row.get("type_label")), "start": _text(row.get("start")) or None,
            "end": _text(row.get("end")) or None, "precision": _text(row.get("precision")),
            "date_text": _text(row.get("date_text")), "place": _text(row.get("place")),
            "country": _text(row.get("country")), "admin1": _text(row.get("admin1")),
            "killed": _int(row.get("killed")), "injured": _int(row.get("injured")),
            "killed_reports": _text(row.get("killed_reports")),
            "sources": ";".join(ids),
            "source_titles": "; ".join(meta.get(s, {}).get("title") or s for s in ids),
            "evidence": _text(row.get("evidence")),
        }
        features.append({"type": "Feature", "id": props["id"],
                         "geometry": {"type": "Point",
                                      "coordinates": [round(float(row["lon"]), 6), round(float(row["lat"]), 6)]},
                         "properties": props})
    metadata = dict(provenance.as_dict() if provenance else {})
    metadata["features"] = len(features)
    metadata["left_out_without_coordinates"] = len(rows) - len(features)
    doc = {"type": "FeatureCollection", "metadata": metadata, "features": features}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def kml_color(hex_color: str, alpha: int = 0xFF) -> str:
    """'#D55E00' -> 'ff005ed5' (KML writes colours as aabbggrr)."""
    h = hex_color.lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", h):
        h = "555555"
    r, g, b = h[0:2], h[2:4], h[4:6]
    return f"{alpha:02x}{b}{g}{r}".lower()


def _kml_description(row: Mapping[str, Any], meta: Mapping[str, Mapping[str, str]]) -> str:
    """Balloon HTML for a placemark: every value escaped (the XML writer escapes the HTML once more)."""
    parts = [f"<b>Date:</b> {html.escape(date_as_written(row))}",
             f"<b>Place:</b> {html.escape(place_text(row))}",
             f"<b>Casualties:</b> {html.escape(views.casualties_text(row.get('killed'), row.get('injured')))}"]
    reports = views.parse_reports(_text(row.get("killed_reports")))
    if len(reports) > 1:
        parts.append(f"<b>Reported deaths:</b> {html.escape(reports_text(_text(row.get('killed_reports')), meta))}")
    sources = []
    for s in _source_ids(row):
        m = meta.get(s, {})
        label = m.get("title") or s
        if m.get("publisher"):
            label += f" — {m['publisher']}"
        if m.get("published"):
            label += f" ({m['published']})"
        sources.append(html.escape(label))
    parts.append("<b>Sources:</b><br>" + "<br>".join(sources))
    evidence = _text(row.get("evidence"))
    if evidence:
        parts.append(f"<i>“{html.escape(evidence)}”</i>")
    return "<br>".join(parts)


def to_kml(incidents: pd.DataFrame, documents: pd.DataFrame | None = None, provenance: Provenance | None = None,
           colors: Mapping[str, str] | None = None) -> bytes:
    """KML 2.2: one Placemark per placed incident, a TimeStamp for a day or a TimeSpan for a longer date (Google
    Earth's time slider), a style per incident type in its colour, provenance in the Document description."""
    ET.register_namespace("", KML_NS)
    q = lambda tag: f"{{{KML_NS}}}{tag}"  # noqa: E731
    colors = colors or default_lexicon().colors()
    meta = _doc_meta(documents)
    rows = _sort_for_export(incidents).to_dict("records")
    placed = [r for r in rows if _has_point(r)]

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, q(tag), attrs)
        if text is not None:
            el.text = text
        return el

    root = ET.Element(q("kml"))
    document = sub(root, "Document")
    sub(document, "name", _text(f"Incidents: {provenance.corpus}" if provenance and provenance.corpus else "Incidents"))
    lines = provenance.lines() if provenance else []
    lines.append(f"Placemarks: {len(placed)}; left out without coordinates: {len(rows) - len(placed)}")
    sub(document, "description", _text("\n".join(lines)))
    if provenance:
        extended = sub(document, "ExtendedData")
        for key, value in provenance.as_dict().items():
            data = sub(extended, "Data", name=key)
            sub(data, "value", _text(value))
    for kind in sorted({_text(r.get("type")) for r in placed}):
        style = sub(document, "Style", id=f"type-{re.sub(r'[^A-Za-z0-9_-]', '_', kind)}")
        icon_style = sub(style, "IconStyle")
        sub(icon_style, "color", kml_color(colors.get(kind, "#555555")))
        sub(icon_style, "scale", "1.1")
        # No <Icon href>: the viewer's built-in pin takes the colour, and the file names no server to fetch from.
        label_style = sub(style, "LabelStyle")
        sub(label_style, "scale", "0.8")
    for row in placed:
        kind = _text(row.get("type"))
        mark_id = re.sub(r"[^A-Za-z0-9_.-]", "_", _text(row.get("id")))
        mark = sub(document, "Placemark", **({"id": mark_id} if mark_id else {}))
        sub(mark, "name", _text(row.get("title")))
        sub(mark, "description", _text(_kml_description(row, meta)))
        start, end = _text(row.get("start")), _text(row.get("end")) or _text(row.get("start"))
        if start:
            if start == end:
                stamp = sub(mark, "TimeStamp")
                sub(stamp, "when", start)
            else:
                span = sub(mark, "TimeSpan")
                sub(span, "begin", start)
                sub(span, "end", end)
        sub(mark, "styleUrl", f"#type-{re.sub(r'[^A-Za-z0-9_-]', '_', kind)}")
        extended = sub(mark, "ExtendedData")
        for key in ("type_label", "date_text", "precision", "killed", "injured", "sources", "evidence"):
            data = sub(extended, "Data", name=key)
            sub(data, "value", _text(row.get(key)))
        point = sub(mark, "Point")
        sub(point, "coordinates", f"{float(row['lon']):.6f},{float(row['lat']):.6f}")
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --------------------------------------------------------------------------------------------------------------
# Figures: the dashboard's, as PNG (kaleido) and for the HTML briefing
# --------------------------------------------------------------------------------------------------------------


def export_figures(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                   group_by: str = views.DEFAULT_GROUP_BY, static: bool = False):
    """(timeline, map) plotly figures of the view, built by `views`; `static` adds a map legend for images."""
    colors = default_lexicon().colors()
    labels = views.source_labels(documents) if documents is not None and len(documents) else {}
    names = _country_names()
    timeline = views.timeline_figure(incidents, colors, group_by=group_by, labels=labels, names=names)
    geo = views.map_figure(incidents, colors, labels=labels, height=520)
    if static:
        # An image has no range slider to pan with: drop it and say what lies outside the opening window.
        timeline.update_xaxes(rangeslider=dict(visible=False))
        window = timeline.layout.xaxis.range
        if window:
            lo, hi = str(window[0])[:10], str(window[1])[:10]
            dated = incidents[incidents["start"].notna() & (incidents["start"].astype(str) != "")]
            end = dated["end"].where(dated["end"].notna() & (dated["end"].astype(str) != ""), dated["start"]).astype(str)
            outside = dated[(end < lo) | (dated["start"].astype(str) > hi)]
            if len(outside):
                years = sorted({str(s)[:4] for s in outside["start"]})
                span = years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"
                n = len(outside)
                timeline.add_annotation(
                    text=f"Not in this window: {n} incident{'s' if n != 1 else ''} ({span})", showarrow=False,
                    xref="paper", yref="paper", x=1, y=1.0, xanchor="right", yanchor="bottom",
                    font=dict(size=12, color="#555555"))
        geo.update_layout(showlegend=True, legend=dict(orientation="h", yanchor="top", y=-0.02, x=0),
                          margin=dict(l=0, r=0, t=10, b=40))
    return timeline, geo


def topojson_name(fig) -> str:
    """The topojson file plotly.js fetches for a geo figure ('world_110m' for the dashboard's map)."""
    geo = fig.layout.geo
    scope = geo.scope or "world"
    resolution = int(geo.resolution or 110)
    return f"{scope.replace(' ', '-')}_{resolution}m"


def _run_async(factory: Callable[[], Any]) -> Any:
    """Run a coroutine to completion from sync code, also when the caller already runs an event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def render_pngs(figures: Sequence[Any], width: int = 1400, height: int | None = None, scale: float = 1.0,
                sizes: Sequence[tuple[int, int]] | None = None) -> list[bytes]:
    """PNG bytes of plotly figures, rendered by kaleido in one headless Chromium, offline: plotly.js from the
    installed plotly package, no MathJax (kaleido would fetch it from a CDN), world outlines from `static/`.
    Each image is `width` x (`height` or the figure's own height), or the (width, height) in `sizes`."""
    import kaleido

    topojson = STATIC_DIR.resolve().as_uri() + "/"

    async def work() -> list[bytes]:
        try:
            browser = kaleido.Kaleido(n=1, mathjax=False)
        except Exception as exc:  # choreographer's ChromeNotFoundError and friends
            raise RuntimeError(f"PNG export needs Chrome or Chromium (apt-get install chromium, or set BROWSER_PATH): {exc}") from exc
        async with browser as k:
            out = []
            for i, fig in enumerate(figures):
                w, h = sizes[i] if sizes else (width, height or int(fig.layout.height or 500))
                out.append(await k.calc_fig(fig, opts=dict(format="png", width=w, height=h, scale=scale),
                                            topojson=topojson))
            return out

    return _run_async(work)


def timeline_png(incidents: pd.DataFrame, documents: pd.DataFrame | None = None,
                 group_by: str = views.DEFAULT_GROUP_BY, width: int = 1400, scale: float = 1.0) -> bytes:
    timeline, _ = export_figures(incidents, documents, group_by=group_by, static=True)
    return render_pngs([timeline], width=width, scale=scale)[0]


def map_png(incidents: pd.DataFrame, documents: pd.DataFrame | None = None, width: int = 1400,
            scale: float = 1.0) -> bytes:
    _, geo = export_figures(incidents, documents, static=True)
    return render_pngs([geo], width=width, height=700, scale=scale)[0]


# --------------------------------------------------------------------------------------------------------------
# HTML briefing
# --------------------------------------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1280px;
       padding: 1.5em 2em 3em; color: #222; }
h1 { margin: 0 0 .2em; font-size: 1.7em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.provenance { color: #555; font-size: .92em; margin: .2em 0; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .35em .5em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; position: sticky; top: 0; }
td.num { text-align: right; } td.date { white-space: nowrap; } td.num .muted { font-size: .85em; } .swatch { display: inline-block; width: .8em; height: .8em;
  border-radius: 50%; margin-right: .35em; vertical-align: -.05em; }
blockquote { margin: .2em 0 0; color: #444; font-style: italic; } .muted { color: #777; }
.figure { margin: .5em 0 1em; } ol.sources li { margin-bottom: .3em; } .url { word-break: break-all; color: #555; }
"""


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _is_web_url(url: str) -> bool:
    return bool(re.match(r"^https?://[^\s<>\"']+$", url or ""))


def _sources_html(ids: Sequence[str], meta: Mapping[str, Mapping[str, str]]) -> str:
    items = []
    for s in ids:
        m = meta.get(s, {})
        label = html.escape(_short(m.get("title") or s, 90))
        if m.get("publisher"):
            label += f" <span class=\"muted\">— {html.escape(m['publisher'])}</span>"
        items.append(label)
    return "<br>".join(items)


def to_html(incidents: pd.DataFrame, documents: pd.DataFrame | None = None, provenance: Provenance | None = None,
            group_by: str = views.DEFAULT_GROUP_BY, left_off_map: int | None = None) -> bytes:
    """A self-contained briefing page that works offline: the dashboard's timeline and map (plotly.js inlined,
    the world outlines pre-registered in `window.PlotlyGeoAssets`, which plotly.js reads before fetching), the
    incident table and the source list. All article and metadata text is HTML-escaped; the only URLs are source
    links (`<a class="source-link">`, http(s) only), which load nothing."""
    import plotly.io as pio

    provenance = provenance or Provenance(shown=len(incidents), total=len(incidents))
    meta = _doc_meta(documents)
    colors = default_lexicon().colors()
    names = _country_names()
    timeline, geo = export_figures(incidents, documents, group_by=group_by)
    topo_name = topojson_name(geo)
    topo_path = STATIC_DIR / f"{topo_name}.json"
    topology = json.loads(topo_path.read_text(encoding="utf-8"))
    # Never a network fetch: plotly.js looks in PlotlyGeoAssets first; a miss would go to this local name.
    config = {"displaylogo": False, "topojsonURL": "./", "responsive": True}
    timeline_div = pio.to_html(timeline, full_html=False, include_plotlyjs=True, config=config, div_id="timeline")
    map_div = pio.to_html(geo, full_html=False, include_plotlyjs=False, config=config, div_id="map")
    n_unplaced = left_off_map if left_off_map is not None else sum(not _has_point(r) for r in incidents.to_dict("records"))
    n_undated = sum(not _text(r.get("start")) for r in incidents.to_dict("records"))

    rows_html = []
    for row in _sort_for_export(incidents).to_dict("records"):
        kind = _text(row.get("type"))
        place = place_text(row, names)
        reports = views.parse_reports(_text(row.get("killed_reports")))
        killed = _int(row.get("killed"))
        killed_html = "" if killed is None else str(killed)
        if len(reports) > 1:
            killed_html += f"<br><span class=\"muted\">{html.escape(reports_text(_text(row.get('killed_reports')), meta))}</span>"
        injured = _int(row.get("injured"))
        evidence = _text(row.get("evidence"))
        place_html = html.escape(place) if place else '<span class="muted">unknown</span>'
        precision = _text(row.get("precision"))
        precision_html = f"<br>{html.escape(precision)}" if precision and precision != "day" else ""
        rows_html.append(
            "<tr>"
            f"<td class=\"date\">{html.escape(_text(row.get('date_text')) or '—')}<br><span class=\"muted\">{html.escape(date_interval(row) or 'undated')}{precision_html}</span></td>"
            f"<td><span class=\"swatch\" style=\"background:{html.escape(colors.get(kind, '#555555'))}\"></span>"
            f"<b>{html.escape(_text(row.get('title')))}</b><br><span class=\"muted\">{html.escape(_text(row.get('type_label')) or kind)}</span>"
            + (f"<blockquote>“{html.escape(evidence)}”</blockquote>" if evidence else "") + "</td>"
            f"<td>{place_html}</td>"
            f"<td class=\"num\">{killed_html}</td><td class=\"num\">{'' if injured is None else injured}</td>"
            f"<td>{_sources_html(_source_ids(row), meta)}</td>"
            "</tr>")

    cited: list[str] = []
    for row in incidents.to_dict("records"):
        cited.extend(s for s in _source_ids(row) if s not in cited)
    source_items = []
    for s in sorted(cited, key=lambda d: (meta.get(d, {}).get("published", ""), d)):
        m = meta.get(s, {})
        bits = [f"<b>{html.escape(m.get('title') or s)}</b>"]
        if m.get("publisher"):
            bits.append(html.escape(m["publisher"]))
        if m.get("published"):
            bits.append(html.escape(m["published"]))
        bits.append(f"<span class=\"muted\">id {html.escape(s)}</span>")
        url = m.get("url", "")
        if _is_web_url(url):
            bits.append(f"<a class=\"source-link\" rel=\"noopener noreferrer\" href=\"{html.escape(url)}\">"
                        f"<span class=\"url\">{html.escape(url)}</span></a>")
        elif url:
            bits.append(f"<span class=\"url\">{html.escape(url)}</span>")
        source_items.append("<li>" + " · ".join(bits) + "</li>")

    notes = []
    if n_unplaced:
        notes.append(f"{n_unplaced} incident{'s' if n_unplaced != 1 else ''} without coordinates not on the map")
    if n_undated:
        notes.append(f"{n_undated} undated incident{'s' if n_undated != 1 else ''} not on the timeline")
    title = f"Incident briefing: {provenance.corpus}" if provenance.corpus else "Incident briefing"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="incident atlas {html.escape(provenance.engine_version)}">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
<script>window.PlotlyGeoAssets = {{topojson: {{{_script_json(topo_name)}: {_script_json(topology)}}}}};</script>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<p class="provenance" id="filters"><b>Filters:</b> {html.escape(provenance.filters)}</p>
<p class="provenance" id="provenance">{provenance.shown} of {provenance.total} incidents ·
exported {html.escape(provenance.exported)} · engine {html.escape(provenance.engine_version or 'unknown')}</p>
{''.join(f'<p class="provenance">{html.escape(n)}.</p>' for n in notes)}
</header>
<h2>Timeline</h2>
<div class="figure">{timeline_div}</div>
<h2>Map</h2>
<div class="figure">{map_div}</div>
<h2>Incidents</h2>
<table id="incidents">
<thead><tr><th>Date as written</th><th>Incident</th><th>Place</th><th>Killed</th><th>Injured</th><th>Sources</th></tr></thead>
<tbody>
{chr(10).join(rows_html)}
</tbody>
</table>
<h2>Sources</h2>
<ol class="sources">
{chr(10).join(source_items)}
</ol>
</body>
</html>
"""
    return page.encode("utf-8")


# --------------------------------------------------------------------------------------------------------------
# PowerPoint briefing
# --------------------------------------------------------------------------------------------------------------


def key_incidents(incidents: pd.DataFrame, top: int = 8, ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The incidents a briefing details: `ids` in that order, else the top `top` by deaths, then sources, then
    injured (unknown figures last)."""
    if ids:
        by_id = {str(i): row for i, row in incidents.set_index(incidents["id"].astype(str)).iterrows()}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise ValueError(f"unknown incident id(s) in this view: {', '.join(missing)}")
        return pd.DataFrame([by_id[i] for i in ids]).reset_index(drop=True)
    ranked = incidents.assign(
        _k=pd.to_numeric(incidents["killed"], errors="coerce").fillna(-1),
        _s=pd.to_numeric(incidents["n_sources"], errors="coerce").fillna(0),
        _i=pd.to_numeric(incidents["injured"], errors="coerce").fillna(-1),
    ).sort_values(["_k", "_s", "_i", "id"], ascending=[False, False, False, True], kind="stable")
    return ranked.drop(columns=["_k", "_s", "_i"]).head(max(0, top)).reset_index(drop=True)


def to_pptx(incidents: pd.DataFrame, documents: pd.DataFrame | None = None, provenance: Provenance | None = None,
            group_by: str = views.DEFAULT_GROUP_BY, top: int = 8, ids: Sequence[str] | None = None,
            pngs: tuple[bytes, bytes] | None = None) -> bytes:
    """A 16:9 briefing deck: title (corpus, filters, export date), timeline and map pictures, one slide per key
    incident (`key_incidents`), and the sources. `pngs` = (timeline, map) skips rendering them again."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Emu, Inches, Pt

    provenance = provenance or Provenance(shown=len(incidents), total=len(incidents))
    meta = _doc_meta(documents)
    names = _country_names()
    colors = default_lexicon().colors()
    if pngs is None:
        timeline, geo = export_figures(incidents, documents, group_by=group_by, static=True)
        # shaped for the picture area of a 16:9 slide (12.5 x 5.9 in)
        sizes = [(1100, max(int(timeline.layout.height or 0), 500)), (1050, 500)]
        pngs = tuple(render_pngs([timeline, geo], sizes=sizes, scale=2))  # type: ignore[assignment]
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    width, height = prs.slide_width, prs.slide_height
    grey = RGBColor(0x55, 0x55, 0x55)

    def title_only(text: str):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = Inches(0.5), Inches(0.25), width - Inches(1.0), Inches(0.9)
        shape.text = _text(text)
        para = shape.text_frame.paragraphs[0]
        para.font.size = Pt(30)
        para.font.bold = True
        return slide

    def textbox(slide, left, top, w, h):
        box = slide.shapes.add_textbox(left, top, w, h)
        frame = box.text_frame
        frame.word_wrap = True
        return frame

    def add_para(frame, text: str, size: int = 16, bold: bool = False, italic: bool = False, color=None,
                 first: bool = False, label: str | None = None):
        para = frame.paragraphs[0] if first else frame.add_paragraph()
        para.space_after = Pt(6)
        if label:
            run = para.add_run()
            run.text = label
            run.font.bold = True
            run.font.size = Pt(size)
        run = para.add_run()
        run.text = _text(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.italic = italic
        if color is not None:
            run.font.color.rgb = color
        return para

    def picture(slide, data: bytes):
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            w_px, h_px = img.size
        box_w, box_h = width - Inches(0.8), height - Inches(1.85)
        scale = min(box_w / w_px, box_h / h_px)
        pic_w, pic_h = int(w_px * scale), int(h_px * scale)
        slide.shapes.add_picture(io.BytesIO(data), Emu(int((width - pic_w) / 2)), Inches(1.25), Emu(pic_w), Emu(pic_h))

    # 1. title
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    # the default template is 4:3: place the title slide's placeholders for the 16:9 page
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.8), Inches(1.6)
    slide.shapes.title.width, slide.shapes.title.height = width - Inches(1.6), Inches(1.5)
    slide.shapes.title.text = _text(f"Incident briefing: {provenance.corpus}" if provenance.corpus else "Incident briefing")
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.8), Inches(3.4), width - Inches(1.6), Inches(2.8)
    sub = subtitle.text_frame
    exported_day = provenance.exported[:10] or date.today().isoformat()
    sub.text = _text(f"Filters: {provenance.filters}")
    for line in (f"{provenance.shown} of {provenance.total} incidents", f"Exported {exported_day} ({provenance.exported})",
                 f"Engine {provenance.engine_version or 'unknown'}"):
        para = sub.add_paragraph()
        para.text = _text(line)
    for para in sub.paragraphs:
        para.font.size = Pt(18)

    rows = incidents.to_dict("records")
    n_undated = sum(not _text(r.get("start")) for r in rows)
    n_unplaced = sum(not _has_point(r) for r in rows)
    # 2. timeline, 3. map
    for heading, data, missing, what in (("Timeline", pngs[0], n_undated, "undated"),
                                          ("Map", pngs[1], n_unplaced, "without coordinates")):
        slide = title_only(heading)
        picture(slide, data)
        note = f"{provenance.filters} · {provenance.shown} incidents"
        if missing:
            note += f" · {missing} {what} not shown"
        frame = textbox(slide, Inches(0.5), height - Inches(0.45), width - Inches(1.0), Inches(0.35))
        add_para(frame, note, size=11, color=grey, first=True)

    # 4. key incidents
    for row in key_incidents(incidents, top=top, ids=ids).to_dict("records"):
        slide = title_only(_text(row.get("title")))
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(0.5), Inches(1.15), Inches(1.2), Inches(0.08))
        bar.fill.solid()
        bar.fill.fore_color.rgb = RGBColor.from_string(colors.get(_text(row.get("type")), "#555555").lstrip("#").upper())
        bar.line.fill.background()
        frame = textbox(slide, Inches(0.5), Inches(1.35), width - Inches(1.0), height - Inches(1.8))
        add_para(frame, _text(row.get("type_label")) or _text(row.get("type")), size=14, color=grey, first=True)
        add_para(frame, date_as_written(row), label="Date: ")
        add_para(frame, place_text(row, names) or "unknown", label="Place: ")
        add_para(frame, views.casualties_text(row.get("killed"), row.get("injured")), label="Casualties: ")
        for key, what in (("killed_reports", "killed"), ("injured_reports", "injured")):
            reports = views.parse_reports(_text(row.get(key)))
            if len(reports) > 1:
                add_para(frame, reports_text(_text(row.get(key)), meta), size=14,
                         label=f"Conflicting figures ({what}): ")
        sources = []
        for s in _source_ids(row):
            m = meta.get(s, {})
            sources.append(_short(m.get("title") or s, 80) + (f" — {m['publisher']}" if m.get("publisher") else ""))
        add_para(frame, "; ".join(sources[:6]) + (f"; and {len(sources) - 6} more" if len(sources) > 6 else ""),
                 size=14, label="Sources: ")
        evidence = _text(row.get("evidence"))
        if evidence:
            add_para(frame, f"“{_short(evidence, 600)}”", size=16, italic=True)

    # 5. sources, 12 per slide
    cited: list[str] = []
    for row in rows:
        cited.extend(s for s in _source_ids(row) if s not in cited)
    cited.sort(key=lambda d: (meta.get(d, {}).get("published", ""), d))
    pages = [cited[i:i + 12] for i in range(0, len(cited), 12)] or [[]]
    for n, page in enumerate(pages, 1):
        slide = title_only("Sources" + (f" ({n}/{len(pages)})" if len(pages) > 1 else ""))
        frame = textbox(slide, Inches(0.5), Inches(1.3), width - Inches(1.0), height - Inches(1.6))
        if not page:
            add_para(frame, "No sources.", first=True)
        for i, s in enumerate(page):
            m = meta.get(s, {})
            bits = [m.get("publisher", ""), m.get("published", ""), m.get("url", "")]
            para = add_para(frame, m.get("title") or s, size=14, bold=True, first=i == 0)
            run = para.add_run()
            run.text = _text("  " + " · ".join(b for b in bits if b) if any(bits) else "")
            run.font.size = Pt(12)
            run.font.color.rgb = grey
    buf = io.BytesIO()
    prs.core_properties.title = _text(f"Incident briefing: {provenance.corpus}")
    prs.core_properties.comments = _text("\n".join(provenance.lines()))
    prs.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------------------------------
# One entry point
# --------------------------------------------------------------------------------------------------------------

# format -> (file name suffix, MIME type)
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("incidents.csv", "text/csv"),
    "geojson": ("incidents.geojson", "application/geo+json"),
    "kml": ("incidents.kml", "application/vnd.google-earth.kml+xml"),
    "timelinejs": ("timelinejs.csv", "text/csv"),
    "acled": ("acled.csv", "text/csv"),
    "html": ("briefing.html", "text/html"),
    "png-timeline": ("timeline.png", "image/png"),
    "png-map": ("map.png", "image/png"),
    "pptx": ("briefing.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "atlas"


def filtered_view(incidents: pd.DataFrame, state: views.FilterState,
                  selection: Sequence[str] | None = None) -> pd.DataFrame:
    """The incidents the dashboard shows for a filter state (and, optionally, a selection of ids within it)."""
    view = views.apply_filters(incidents, state)
    if selection is not None:
        wanted = {str(s) for s in selection}
        view = view[view["id"].astype(str).isin(wanted)]
    return view


def export_bytes(fmt: str, incidents: pd.DataFrame, mentions: pd.DataFrame | None, documents: pd.DataFrame | None,
                 state: views.FilterState | None = None, *, corpus: str = "", engine_version: str = "",
                 selection: Sequence[str] | None = None, now: datetime | None = None, top: int = 8,
                 ids: Sequence[str] | None = None) -> tuple[bytes, str, str]:
    """The filtered view of a corpus's tables in one format: (file bytes, MIME type, suggested file name).

    `incidents` is the whole incident table: it is filtered here with `views.apply_filters(incidents, state)`
    (then narrowed to `selection`, incident ids, when given) so every export matches the dashboard. `mentions` is
    accepted for the dashboard's convenience and filtered alongside; `top`/`ids` choose the pptx's key incidents.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    state = state or views.FilterState()
    view = filtered_view(incidents, state, selection)
    labels = views.source_labels(documents) if documents is not None and len(documents) else {}
    prov = make_provenance(corpus, state, engine_version, shown=len(view), total=len(incidents), now=now,
                           labels=labels, selection=selection)
    if fmt == "csv":
        data = to_csv(view)
    elif fmt == "geojson":
        data = to_geojson(view, documents, prov)
    elif fmt == "kml":
        data = to_kml(view, documents, prov)
    elif fmt == "timelinejs":
        data = to_timelinejs(view, documents, prov)
    elif fmt == "acled":
        data = to_acled(view, documents)
    elif fmt == "html":
        data = to_html(view, documents, prov, group_by=state.group_by)
    elif fmt == "png-timeline":
        data = timeline_png(view, documents, group_by=state.group_by)
    elif fmt == "png-map":
        data = map_png(view, documents)
    else:
        data = to_pptx(view, documents, prov, group_by=state.group_by, top=top, ids=ids)
    suffix, mime = FORMATS[fmt]
    stamp = prov.exported[:10].replace("-", "")
    return data, mime, f"{_slug(corpus)}-{stamp}-{suffix}"
