"""Timeline and map figures drawn from mark tables (what `events.warehouse.Warehouse` answers), for incident tables
too large to hold in memory: the browser gets at most a few thousand marks whatever the size of the table.

Each mark carries, as its plotly customdata, a key saying what it stands for (an incident, or incidents of one type
in one timeline bin or map cell: `events.warehouse.timeline_mark_key`, `map_mark_key`); a selection on the chart is
turned back into incidents by `events.warehouse.selection_sql`, so the table, the other chart and the counts follow
it without listing millions of ids in the page.
"""

from __future__ import annotations

import html
from typing import Any, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from events.views.days import _DAY_MS, _iso
from events.views.filters import DEFAULT_GROUP_BY
from events.views.map import _bounds, marker_sizes
from events.views.marks import FADED_OPACITY, selection_points
from events.views.timeline import GROUP_NOUNS, MAX_ROWS, _full_span

GEO = dict(projection=dict(type="natural earth"), resolution=110, showcountries=True, countrycolor="#8c8c8c",
           showcoastlines=True, coastlinecolor="#6b6b6b", showland=True, landcolor="#f2efe9", showocean=True,
           oceancolor="#e3eef7", showlakes=True, lakecolor="#e3eef7", showframe=False)
_HOVER = "%{customdata[1]}<extra></extra>"
COUNTED_MARKS = 300  # above this many map marks the counts are in the hover only, not written on each mark
_BIN_NOUNS = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}


def _esc(value: Any) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value))


def _figure_text(value: float) -> str:
    return "no figure" if value is None or not np.isfinite(value) else f"{int(value):,}"


def _plain(value: Any) -> Any:
    """numpy arrays and Series as lists (plotly turns each array into a typed-array spec, 2 ms apiece)."""
    if isinstance(value, (np.ndarray, pd.Series)):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class MarkFigure(go.Figure):
    """A plotly figure handed over as the plain dict it is sent as (`to_dict`): built here from known types, it
    skips plotly's per-property validation and copies, which took a second per chart of a few thousand marks."""

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._mark_spec = spec

    def to_dict(self) -> dict:
        return self._mark_spec

    def to_plotly_json(self) -> dict:
        return self._mark_spec


def _figure(traces: list[dict], layout: dict) -> MarkFigure:
    return MarkFigure({"data": [_plain(t) for t in traces], "layout": _plain(layout)})


def selected_mark_keys(selection: Any) -> list[str]:
    """The mark keys picked in a chart (Streamlit's selection state or a plain dict), in order, once each."""
    points = selection_points(selection)
    out: list[str] = []
    for point in points or []:
        data = point.get("customdata") if hasattr(point, "get") else None
        if isinstance(data, (list, tuple)) and data:
            data = data[0]
        if isinstance(data, str) and data and data not in out:
            out.append(data)
    return out


def row_names(rows: pd.Series, group_by: str, names: Mapping[str, str]) -> pd.Series:
    """Timeline rows as they read: country codes named (the admin-area grouping falls back to the country)."""
    if group_by in ("country", "admin1") and names:
        return rows.map(lambda r: names.get(r, r))
    return rows


def capped_rows(rows: pd.Series, counts: pd.Series, max_rows: int, noun: str) -> pd.Series:
    """All but the `max_rows - 1` most populated rows renamed "Other (n countries)" (as the in-memory timeline)."""
    totals = counts.groupby(rows.to_numpy()).sum()
    if len(totals) <= max_rows:
        return rows
    order = sorted(totals.index, key=lambda r: (-int(totals[r]), str(r)))
    others = set(order[max_rows - 1:])
    return rows.where(~rows.isin(others), f"Other ({len(others)} {noun})")


def row_label_margin(rows: list[str], char_px: float = 6.6, pad: int = 20, most: int = 300) -> int:
    """Pixels of left margin for a timeline's row names (the page's 12 px font, 5-6 px a character; capped: the
    axis still widens itself for a longer name, at the cost of one more draw)."""
    return int(min(most, pad + char_px * max((len(str(r)) for r in rows), default=0)))


def timeline_from_marks(bin_name: str, marks: pd.DataFrame, colors: Mapping[str, str], keys: list[str],
                        group_by: str = DEFAULT_GROUP_BY, type_labels: Mapping[str, str] | None = None,
                        names: Mapping[str, str] | None = None, titles: Mapping[str, str] | None = None,
                        highlight: bool = False, total: int | None = None, max_rows: int = MAX_ROWS) -> go.Figure:
    """Marks on a time axis: a bar for a span, a diamond for a day or a bin's points (sized by how many). `keys`
    are the marks' selection keys (same order as `marks`); with `highlight` the marks without a selected incident
    are faded. `titles` (first_id -> title) name single incidents in the hover."""
    type_labels, names, titles = dict(type_labels or {}), dict(names or {}), dict(titles or {})
    marks = marks.reset_index(drop=True)
    grouped = bin_name != "none"
    traces: list[dict] = []
    shown = row_names(marks["row"].astype(str), group_by, names) if len(marks) else pd.Series([], dtype=object)
    shown = capped_rows(shown, marks["n"], max_rows, GROUP_NOUNS.get(group_by, "groups")) if len(marks) else shown
    rows_order = sorted(set(shown.tolist()), key=lambda r: (r == "Unknown", str(r).startswith("Other "), str(r)))
    key_array = np.asarray(keys, dtype=object)
    kinds = marks["type"].astype(object).where(marks["type"].notna(), None) if len(marks) else pd.Series([], dtype=object)
    for kind in sorted(set(kinds.tolist()), key=lambda k: type_labels.get(k) or str(k or "")):
        mine = (kinds == kind).to_numpy(dtype=bool) if kind is not None else kinds.isna().to_numpy(dtype=bool)
        label = type_labels.get(kind) or kind or "Unknown"
        color = colors.get(kind, "#555555")
        part = marks[mine]
        x0, x1 = part["x0"].to_numpy(np.int64), part["x1"].to_numpy(np.int64)
        a, b = _iso(x0), _iso(x1)
        n = part["n"].to_numpy(np.int64)
        killed = part["killed"].to_numpy(float)
        if grouped:
            when = [x if x == y else f"{x} – {y}" for x, y in zip(a, b)]
            hover = [f"<b>{c:,} incident{'s' if c != 1 else ''}</b><br>{_esc(label)} · {_esc(r)}<br>"
                     f"{'Dates' if c != 1 else 'Date'}: {w} ({_BIN_NOUNS.get(bin_name, bin_name)})<br>Killed: "
                     f"{_figure_text(k)}<br><i>select to pick {'all of them' if c != 1 else 'it'}</i>"
                     for c, r, w, k in zip(n.tolist(), shown[mine].tolist(), when, killed.tolist())]
        else:
            hover = [f"<b>{_esc(titles.get(i, i))}</b><br>{_esc(label)} · {_esc(r)}<br>"
                     f"{x if x == y else f'{x} – {y}'}<br>Killed: {_figure_text(k)}"
                     for i, r, x, y, k in zip(part["first_id"].tolist(), shown[mine].tolist(), a, b, killed.tolist())]
        custom = np.empty((len(part), 2), dtype=object)
        custom[:, 0], custom[:, 1] = key_array[mine], hover
        point = part["point"].to_numpy(bool)
        lit = part["selected"].to_numpy(bool) if "selected" in part else np.zeros(len(part), bool)
        common = dict(selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)))
        spans, points = np.flatnonzero(~point), np.flatnonzero(point)
        if len(spans):
            traces.append(dict(
                type="bar", name=label, legendgroup=str(kind), orientation="h", y=shown[mine].to_numpy(dtype=object)[spans],
                base=a[spans], x=((x1[spans] - x0[spans] + 1) * _DAY_MS).astype(float),
                marker=dict(color=color, line=dict(color=color, width=1)), opacity=0.55, width=0.5,
                customdata=custom[spans], hovertemplate=_HOVER,
                selectedpoints=np.flatnonzero(lit[spans]).tolist() if highlight else None, **common))
        if len(points):
            size = np.minimum(20.0, 7.0 + 1.5 * np.sqrt(n[points].astype(float))) if grouped else 11.0
            traces.append(dict(
                type="scatter", name=label, legendgroup=str(kind), showlegend=not len(spans), mode="markers",
                y=shown[mine].to_numpy(dtype=object)[points], x=a[points],
                marker=dict(color=color, size=size, symbol="diamond", line=dict(color="white", width=1)),
                customdata=custom[points], hovertemplate=_HOVER,
                selectedpoints=np.flatnonzero(lit[points]).tolist() if highlight else None, **common))
    # No range slider (it draws every mark a second time: 0.6-1.2 s of a 10^6 page's browser draw); scroll zooms, a
    # drag pans, a double click shows everything. The left margin is wide enough for the row names from the start:
    # an automatic margin that grows redraws the whole chart once more.
    layout: dict[str, Any] = dict(
        barmode="overlay", dragmode="pan", clickmode="event+select", hovermode="closest",
        margin=dict(l=row_label_margin(rows_order), r=20, t=30, b=30), height=max(260, 90 + 30 * len(rows_order)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, title=dict(text="")), showlegend=group_by != "type",
        uirevision=group_by,
        yaxis=dict(categoryorder="array", categoryarray=list(reversed(rows_order)), title=dict(text=""), automargin=True),
        xaxis=dict(type="date", title=dict(text="")))
    if grouped:
        layout["meta"] = {"grouped_by": bin_name, "incidents": int(total if total is not None else marks["n"].sum())}
    span = _full_span(marks["x0"].to_numpy(np.int64), marks["x1"].to_numpy(np.int64)) if len(marks) else None
    if span:
        layout["xaxis"]["range"] = list(span)
    if not len(marks):
        layout["annotations"] = [dict(text="No dated incidents to show", showarrow=False, xref="paper", yref="paper",
                                      x=0.5, y=0.5)]
    fig = _figure(traces, layout)
    return fig


def map_from_marks(cell: float, marks: pd.DataFrame, colors: Mapping[str, str], keys: list[str],
                   type_labels: Mapping[str, str] | None = None, titles: Mapping[str, str] | None = None,
                   highlight: bool = False, extent: tuple[float, float, float, float] | None = None,
                   height: int = 420) -> go.Figure:
    """Marks over offline world outlines: single incidents sized by casualties, or (with `cell` > 0) incidents of one
    type in one grid cell at their mean position, labelled with their count. `extent` (lat0, lat1, lon0, lon1)
    frames the map; else the marks do."""
    type_labels, titles = dict(type_labels or {}), dict(titles or {})
    marks = marks.reset_index(drop=True)
    grouped = cell > 0
    all_types = grouped and "types" in marks  # cells of every type (the world view): coloured by their first type
    counted = len(marks) <= COUNTED_MARKS  # a count written on each mark costs ~0.3 ms a mark to draw
    most = max(1.0, float(marks["n"].max())) if len(marks) else 1.0
    traces: list[dict] = []
    key_array = np.asarray(keys, dtype=object)
    kinds = marks["type"].astype(object).where(marks["type"].notna(), None) if len(marks) else pd.Series([], dtype=object)
    for kind in sorted(set(kinds.tolist()), key=lambda k: type_labels.get(k) or str(k or "")):
        mine = (kinds == kind).to_numpy(dtype=bool) if kind is not None else kinds.isna().to_numpy(dtype=bool)
        part = marks[mine]
        label = type_labels.get(kind) or kind or "Unknown"
        color = colors.get(kind, "#555555")
        n = part["n"].to_numpy(np.int64)
        sizes = np.asarray(marker_sizes(part["killed"], part["injured"], cap=40.0 if grouped else 30.0))
        if all_types:  # sized by how many incidents (casualty sums of whole cells would all be the largest size)
            sizes = 10.0 + 22.0 * np.sqrt(n / most)
            hover = [f"<b>{c:,} incident{'s' if c != 1 else ''}</b> in the {cell:g}° cell around {la:.2f}, {lo:.2f}"
                     f"<br>{_types_text(mix, type_labels)}<br>Killed: {_figure_text(k)}<br><i>select to pick "
                     f"{'all of them' if c != 1 else 'it'}; pick types or zoom for marks by type</i>"
                     for c, mix, la, lo, k in zip(n.tolist(), part["types"].tolist(), part["lat"].tolist(),
                                                   part["lon"].tolist(), part["killed"].tolist())]
            text = [f"{c:,}" if c > 1 else "" for c in n.tolist()] if counted else None
        elif grouped:
            sizes = np.maximum(sizes, 14.0)
            hover = [f"<b>{c:,} incident{'s' if c != 1 else ''}</b><br>{_esc(label)}<br>{cell:g}° cell around "
                     f"{la:.2f}, {lo:.2f}<br>Killed: {_figure_text(k)}<br><i>select to pick "
                     f"{'all of them' if c != 1 else 'it'}</i>"
                     for c, la, lo, k in zip(n.tolist(), part["lat"].tolist(), part["lon"].tolist(), part["killed"].tolist())]
            text = [f"{c:,}" if c > 1 else "" for c in n.tolist()] if counted else None
        else:
            hover = [f"<b>{_esc(titles.get(i, i))}</b><br>{_esc(label)}<br>Killed: {_figure_text(k)}"
                     for i, k in zip(part["first_id"].tolist(), part["killed"].tolist())]
            text = None
        custom = np.empty((len(part), 2), dtype=object)
        custom[:, 0], custom[:, 1] = key_array[mine], hover
        lit = part["selected"].to_numpy(bool) if "selected" in part else np.zeros(len(part), bool)
        traces.append(dict(
            type="scattergeo", name=label, mode="markers+text" if text is not None else "markers",
            lat=part["lat"].round(4), lon=part["lon"].round(4),
            text=text, textposition="middle center", textfont=dict(size=10, color="#222222"),
            marker=dict(color=color, size=sizes, opacity=0.8 if grouped else 0.85, line=dict(color="white", width=1),
                        sizemode="diameter"),
            customdata=custom, hovertemplate=_HOVER,
            selectedpoints=np.flatnonzero(lit).tolist() if highlight else None,
            selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY))))
    geo: dict[str, Any] = dict(GEO)
    if extent is not None:
        lat0, lat1, lon0, lon1 = extent
        geo["lataxis"] = dict(range=[min(lat0, lat1), max(lat0, lat1)])
        geo["lonaxis"] = dict(range=[min(lon0, lon1), max(lon0, lon1)])
    elif len(marks):
        bounds = _bounds(marks["lat"].to_numpy(float), marks["lon"].to_numpy(float))
        if bounds:
            geo["lataxis"], geo["lonaxis"] = dict(range=bounds[0]), dict(range=bounds[1])
    # the legend's room below the map given from the start (two entries a row, 19 px a row): a legend that pushes
    # the margin open makes plotly draw the map twice
    legend_px = 16 + 19 * -(-len(traces) // 2) if len(marks) else 0
    layout: dict[str, Any] = dict(geo=geo, margin=dict(l=0, r=0, t=10, b=legend_px), height=height, dragmode="pan",
                                  clickmode="event+select", showlegend=bool(len(marks)), uirevision="map",
                                  legend=dict(orientation="h", yanchor="top", y=-0.02, x=0, font=dict(size=11)))
    if grouped:
        layout["meta"] = {"grouped_by": f"{cell:g} degree cells" + (", all types" if all_types else ""),
                          "incidents": int(marks["n"].sum())}
    fig = _figure(traces, layout)
    return fig


def _types_text(types: list, type_labels: Mapping[str, str], named: int = 4) -> str:
    """'Airstrike 120<br>Bombing 80<br>3 more types 41': which incidents a mark of all types holds, most first."""
    parts = [f"{_esc(type_labels.get(k) or k or 'unknown type')} {c:,}" for k, c in types[:named]]
    rest = types[named:]
    if rest:
        parts.append(f"{len(rest)} more type{'s' if len(rest) != 1 else ''} {sum(c for _, c in rest):,}")
    return "<br>".join(parts)


def mark_extent(marks: pd.DataFrame, cell: float, pad: float = 0.5) -> tuple[float, float, float, float] | None:
    """The box (lat0, lat1, lon0, lon1) holding some map marks' cells (or points), padded: where to zoom to show
    them at a finer grid."""
    if not len(marks):
        return None
    if cell > 0 and "cy" in marks:
        lat0, lat1 = float(marks["cy"].min()) * cell, float(marks["cy"].max() + 1) * cell
        lon0, lon1 = float(marks["cx"].min()) * cell, float(marks["cx"].max() + 1) * cell
    else:
        lat0, lat1 = float(marks["lat"].min()), float(marks["lat"].max())
        lon0, lon1 = float(marks["lon"].min()), float(marks["lon"].max())
    return (max(-90.0, lat0 - pad), min(90.0, lat1 + pad), max(-180.0, lon0 - pad), min(180.0, lon1 + pad))
