"""Exports of the current filtered view: pure functions from tables and a filter state to file bytes.

`export_bytes(fmt, incidents, mentions, documents, state, ...)` filters the incident table with
`views.apply_filters` (so the command line and the dashboard export exactly what the dashboard shows) and returns
`(bytes, mime type, suggested file name)`. Each format is one module with an `export(request)` writer, named in
one table, `EXPORTERS` (as geopy keeps one module per geocoder behind a name -> class table):

| format | module | what |
|---|---|---|
| `csv` | `csv_table` | the filtered incident table (every column of `pipeline.INCIDENT_COLUMNS`) |
| `geojson` | `geojson` | RFC 7946 FeatureCollection of Points; provenance in the `metadata` foreign member |
| `kml` | `kml` | KML 2.2 Placemarks with TimeStamp (day) or TimeSpan, styled by incident type |
| `timelinejs` | `timelinejs` | the TimelineJS Google-Sheets template as CSV |
| `acled` | `acled` | ACLED-style CSV (`ACLED_COLUMNS`) |
| `html` | `html_briefing` | a self-contained offline briefing: plotly.js and the world outlines inlined |
| `png-timeline`, `png-map` | `figures` | images rendered by kaleido with the system Chromium |
| `pptx` | `pptx_deck` | a briefing deck (python-pptx) |

What every format shares (provenance, the filter summary, reading cells as clean text) is in `common`.
Article text is untrusted: every format that a program interprets as markup (HTML, KML descriptions, TimelineJS
text) escapes it, and characters XML cannot hold are dropped. Every format that can carry it records where the
export came from (`Provenance`: corpus, filter summary, export time, engine version); plain CSV cannot.
To add a format: write a module with `export(request: ExportRequest) -> bytes` and name it in `EXPORTERS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

import pandas as pd

from events import views
from events.exports import acled, csv_table, figures, geojson, html_briefing, kml, pptx_deck, timelinejs
from events.exports.acled import ACLED_COLUMNS, to_acled
from events.exports.common import (ExportRequest, Provenance, date_as_written, date_interval, filter_summary,
                                   left_out, make_provenance, place_text, reports_text)
from events.exports.csv_table import to_csv
from events.exports.figures import export_figures, map_png, render_pngs, timeline_png, topojson_name
from events.exports.geojson import to_geojson
from events.exports.html_briefing import to_html
from events.exports.kml import KML_NS, kml_color, to_kml
from events.exports.pptx_deck import DeckOptions, deck_summary, fit_lines, key_incidents, to_pptx
from events.exports.timelinejs import TIMELINEJS_COLUMNS, timelinejs_dates, to_timelinejs


@dataclass(frozen=True)
class ExportFormat:
    """One export format: the suggested file name's suffix, its MIME type and the writer of its bytes."""

    suffix: str
    mime: str
    write: Callable[[ExportRequest], bytes]


EXPORTERS: dict[str, ExportFormat] = {
    "csv": ExportFormat("incidents.csv", "text/csv", csv_table.export),
    "geojson": ExportFormat("incidents.geojson", "application/geo+json", geojson.export),
    "kml": ExportFormat("incidents.kml", "application/vnd.google-earth.kml+xml", kml.export),
    "timelinejs": ExportFormat("timelinejs.csv", "text/csv", timelinejs.export),
    "acled": ExportFormat("acled.csv", "text/csv", acled.export),
    "html": ExportFormat("briefing.html", "text/html", html_briefing.export),
    "png-timeline": ExportFormat("timeline.png", "image/png", figures.export_timeline),
    "png-map": ExportFormat("map.png", "image/png", figures.export_map),
    "pptx": ExportFormat("briefing.pptx",
                         "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                         pptx_deck.export),
}

# format -> (file name suffix, MIME type)
FORMATS: dict[str, tuple[str, str]] = {name: (f.suffix, f.mime) for name, f in EXPORTERS.items()}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or "atlas"


def filtered_view(incidents: pd.DataFrame, state: views.FilterState, selection: Sequence[str] | None = None,
                  documents: pd.DataFrame | None = None, mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The incidents the dashboard shows for a filter state (and, optionally, a selection of ids within it).
    `documents` date the sources (background incidents are left out unless the state shows them); `mentions`
    let the text search read every mention, as the dashboard's does."""
    view = views.apply_filters(incidents, state, documents=documents, mentions=mentions)
    if selection is not None:
        wanted = {str(s) for s in selection}
        view = view[view["id"].astype(str).isin(wanted)]
    return view


def export_bytes(fmt: str, incidents: pd.DataFrame, mentions: pd.DataFrame | None, documents: pd.DataFrame | None,
                 state: views.FilterState | None = None, *, corpus: str = "", engine_version: str = "",
                 selection: Sequence[str] | None = None, now: datetime | None = None, top: int = 8,
                 ids: Sequence[str] | None = None, deck: DeckOptions | None = None) -> tuple[bytes, str, str]:
    """The filtered view of a corpus's tables in one format: (file bytes, MIME type, suggested file name).

    `incidents` is the whole incident table: it is filtered here with `views.apply_filters(incidents, state)`
    (then narrowed to `selection`, incident ids, when given) so every export matches the dashboard. `mentions` is
    read by the text search; `top`/`ids` choose the pptx's key incidents and `deck` its title slide.
    """
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORTERS)}")
    state = state or views.FilterState()
    view = filtered_view(incidents, state, selection, documents=documents, mentions=mentions)
    labels = views.source_labels(documents) if documents is not None and len(documents) else {}
    hidden = 0 if state.background else int(views.background_mask(incidents, documents).sum())
    prov = make_provenance(corpus, state, engine_version, shown=len(view), total=len(incidents), now=now,
                           labels=labels, selection=selection, background_left_out=hidden)
    exporter = EXPORTERS[fmt]
    data = exporter.write(ExportRequest(view, documents, prov, group_by=state.group_by, top=top, ids=ids, deck=deck))
    stamp = prov.exported[:10].replace("-", "")
    return data, exporter.mime, f"{_slug(corpus)}-{stamp}-{exporter.suffix}"


__all__ = [
    "ACLED_COLUMNS", "DeckOptions", "deck_summary", "fit_lines", "EXPORTERS", "ExportFormat", "ExportRequest", "FORMATS", "KML_NS", "Provenance",
    "TIMELINEJS_COLUMNS", "date_as_written", "date_interval", "export_bytes", "export_figures", "filter_summary",
    "filtered_view", "key_incidents", "kml_color", "left_out", "make_provenance", "map_png", "place_text",
    "render_pngs", "reports_text", "timeline_png", "timelinejs_dates", "to_acled", "to_csv", "to_geojson",
    "to_html", "to_kml", "to_pptx", "to_timelinejs", "topojson_name",
]
