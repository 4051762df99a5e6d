"""`kml`: KML 2.2 Placemarks with TimeStamp or TimeSpan, styled by incident type."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any, Mapping

import pandas as pd

from events import views
from events.exports.common import (figures_text, gazetteer_text, precision_text, with_view_columns, date_as_written, ExportRequest, place_text, Provenance, reports_text, _doc_meta,
                                    _has_point, _sort_for_export, _source_ids, _text)
from events.lexicon import default_lexicon


KML_NS = "http://www.opengis.net/kml/2.2"


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
             f"<b>Casualties:</b> {html.escape(figures_text(row))}"]
    gazetteer, precision = gazetteer_text(row), precision_text(row)
    if gazetteer or precision:
        parts.insert(2, f"<b>Place precision:</b> {html.escape(', '.join(x for x in (precision, gazetteer) if x))}")
    reports = views.parse_reports(_text(row.get("killed_reports")))
    if len(reports) > 1:
        parts.append(f"<b>Reported deaths:</b> {html.escape(reports_text(_text(row.get('killed_reports')), meta))}")
    sources = []
    for s in _source_ids(row):
        m = meta.get(s, {})
        label = m.get("title") or s
        if m.get("publisher"):
            label += f" — {m['publisher']}"
        if m.get("published_label"):
            label += f" ({m['published_label']})"
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
    rows = _sort_for_export(with_view_columns(incidents)).to_dict("records")
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
        for key, value in (("place_written", row.get("_place_written")), ("place_precision", row.get("_precision")),
                           ("killed_as_reported", row.get("_killed_text")), ("injured_as_reported", row.get("_injured_text"))):
            data = sub(extended, "Data", name=key)
            sub(data, "value", _text(value))
        point = sub(mark, "Point")
        sub(point, "coordinates", f"{float(row['lon']):.6f},{float(row['lat']):.6f}")
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def export(request: ExportRequest) -> bytes:
    return to_kml(request.incidents, request.documents, request.provenance)
