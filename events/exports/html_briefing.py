"""`html`: a self-contained offline briefing page (plotly.js and the world outlines inlined)."""

from __future__ import annotations

import html
import json
import re
from typing import Any, Mapping, Sequence

import pandas as pd

from events import views
from events.exports.common import (STATIC_DIR, ExportRequest, Provenance, date_interval, gazetteer_text, place_text,
                                   precision_text, reports_text, with_view_columns, _country_names, _doc_meta, _has_point, _short, _sort_for_export,
                                    _source_ids, _text)
from events.exports.figures import export_figures, topojson_name
from events.lexicon import default_lexicon


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
    for row in _sort_for_export(with_view_columns(incidents, names)).to_dict("records"):
        kind = _text(row.get("type"))
        place = place_text(row, names)
        reports = views.parse_reports(_text(row.get("killed_reports")))
        killed_html = html.escape(_text(row.get("_killed_text")))
        if len(reports) > 1:
            killed_html += f"<br><span class=\"muted\">{html.escape(reports_text(_text(row.get('killed_reports')), meta))}</span>"
        injured = _text(row.get("_injured_text"))
        evidence = _text(row.get("evidence"))
        place_html = html.escape(place) if place else '<span class="muted">unknown</span>'
        where = ", ".join(x for x in (precision_text(row), gazetteer_text(row)) if x)
        if place and where:
            place_html += f"<br><span class=\"muted\">{html.escape(where)}</span>"
        precision = _text(row.get("precision"))
        precision_html = f"<br>{html.escape(precision)}" if precision and precision != "day" else ""
        rows_html.append(
            "<tr>"
            f"<td class=\"date\">{html.escape(_text(row.get('date_text')) or '—')}<br><span class=\"muted\">{html.escape(date_interval(row) or 'undated')}{precision_html}</span></td>"
            f"<td><span class=\"swatch\" style=\"background:{html.escape(colors.get(kind, '#555555'))}\"></span>"
            f"<b>{html.escape(_text(row.get('title')))}</b><br><span class=\"muted\">{html.escape(_text(row.get('type_label')) or kind)}</span>"
            + (f"<blockquote>“{html.escape(evidence)}”</blockquote>" if evidence else "") + "</td>"
            f"<td>{place_html}</td>"
            f"<td class=\"num\">{killed_html}</td><td class=\"num\">{html.escape(injured)}</td>"
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
        if m.get("published_label"):
            bits.append(html.escape(m["published_label"]))
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


def export(request: ExportRequest) -> bytes:
    return to_html(request.incidents, request.documents, request.provenance, group_by=request.group_by)
