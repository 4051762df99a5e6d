"""Counts over time and time playback: incidents (or deaths) per week or month by type, country or region, and a
figure that plays the map and the counts through time with a moving window, as ACLED's dashboard and kepler.gl do.

The playback is one plotly figure (a map above the counts) with animation frames, so it plays in the browser
without a rerun per step, offline, and the same figure works in an exported HTML page.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from events.views.columns import MARK_CLASS
from events.views.days import _DAY_MS, _bin_start, _iso
from events.views.map import MARK_SYMBOLS, _bounds, _line_color, _line_width, marker_sizes
from events.views.prepared import Prepared

UNITS = {"week": ("W", 7), "month": ("M", 31)}
MEASURES = {"incidents": "Incidents", "killed": "Killed (lowest reported)"}
BY = {"type": "Type", "country": "Country", "region": "Region"}
SERIES = 8  # at most this many series in the counts; the rest are summed as "Other"
PLAYBACK_MARKS = 2000  # a frame draws at most this many marks (the deadliest first)


def periods(prep: Prepared, pos: np.ndarray, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """(period start day of each dated incident at `pos`, every period start from the first to the last)."""
    numpy_unit, _ = UNITS[unit]
    pos = pos[prep.dated[pos]]
    if not len(pos):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = prep.bin_start(numpy_unit)[pos]
    first, last = int(starts.min()), int(_bin_start(np.array([prep.stop_day[pos].max()], dtype="datetime64[D]"),
                                                           numpy_unit).astype(np.int64)[0])
    every = np.arange(first, last + 1, dtype=np.int64)
    every = np.unique(_bin_start(every.astype("datetime64[D]"), numpy_unit).astype(np.int64))
    return starts, every


def counts_table(prep: Prepared, pos: np.ndarray, unit: str = "month", measure: str = "incidents",
                 by: str = "type", series: int = SERIES) -> pd.DataFrame:
    """Incidents or deaths per week or month (rows: period start, ISO day) by type, country or region (columns,
    the largest `series - 1` by total, the rest as "Other"). An incident counts in the period it starts in;
    deaths are the lowest reported figures (`tolls`)."""
    pos = pos[prep.dated[pos]]
    starts, every = periods(prep, pos, unit)
    if not len(pos):
        return pd.DataFrame()
    codes, names = prep.rows(by)
    labels = names[codes[pos]].astype(object)
    weights = np.ones(len(pos)) if measure == "incidents" else np.nan_to_num(prep.tolls()["killed_low"][pos])
    frame = pd.DataFrame({"period": starts, "series": labels, "value": weights})
    table = frame.pivot_table(index="period", columns="series", values="value", aggfunc="sum", fill_value=0.0)
    table = table.reindex(every, fill_value=0.0)
    order = table.sum().sort_values(ascending=False, kind="stable").index.tolist()
    if len(order) > series:
        keep, rest = order[: series - 1], order[series - 1:]
        table = pd.concat([table[keep], table[rest].sum(axis=1).rename(f"Other ({len(rest)})")], axis=1)
    else:
        table = table[order]
    table.index = _iso(table.index.to_numpy(dtype=np.int64))
    table.index.name = "period"
    return table


def counts_figure(prep: Prepared, pos: np.ndarray, colors: Mapping[str, str], unit: str = "month",
                  measure: str = "incidents", by: str = "type", height: int = 300) -> go.Figure:
    """Stacked bars of `counts_table`: one bar per week or month, a colour per type (the types' own colours) or
    per country or region."""
    table = counts_table(prep, pos, unit, measure, by)
    fig = go.Figure()
    palette = _series_colors(prep, table.columns.tolist(), colors, by)
    width = UNITS[unit][1] * 0.8 * _DAY_MS
    for name in table.columns:
        fig.add_trace(go.Bar(x=table.index.tolist(), y=table[name].tolist(), name=str(name), width=width,
                             marker=dict(color=palette[name]), offset=0,
                             hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}}: %{{y:,.0f}}<extra></extra>"))
    fig.update_layout(barmode="stack", height=height, margin=dict(l=10, r=20, t=30, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      yaxis_title=MEASURES[measure], xaxis_title="", hovermode="closest")
    fig.update_xaxes(type="date")
    if not len(table):
        fig.add_annotation(text="No dated incidents", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig


def _series_colors(prep: Prepared, names: list[Any], colors: Mapping[str, str], by: str) -> dict[Any, str]:
    tableau = ["#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F"]
    by_label = {label: colors.get(kind, "#555555") for kind, label in prep.type_label.items()}
    out = {}
    for i, name in enumerate(names):
        if str(name).startswith("Other ("):
            out[name] = "#BAB0AC"
        elif by == "type":
            out[name] = by_label.get(str(name), tableau[i % len(tableau)])
        else:
            out[name] = tableau[i % len(tableau)]
    return out


def playback_figure(prep: Prepared, pos: np.ndarray, colors: Mapping[str, str], unit: str = "month",
                    window: int = 3, by: str = "type", measure: str = "incidents", height: int = 720,
                    frame_ms: int = 700) -> go.Figure:
    """The map and the counts over time played through the periods: each frame shows on the map the incidents of
    a moving window of `window` weeks or months ending at that period (shaped by place precision, sized by deaths)
    and shades the window on the counts below. A play button, a pause button and a slider drive it."""
    placed = pos[prep.placed[pos] & prep.dated[pos]]
    table = counts_table(prep, pos, unit, measure, by)
    fig = go.Figure()
    if not len(table) or not len(placed):
        fig.add_annotation(text="No dated, placed incidents to play", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5)
        fig.update_layout(height=300)
        return fig
    numpy_unit, days = UNITS[unit]
    steps = table.index.tolist()
    step_days = pd.to_datetime(pd.Series(steps)).to_numpy(dtype="datetime64[D]").astype(np.int64)
    tolls = prep.tolls()
    deaths = np.nan_to_num(tolls["killed_low"][placed], nan=-1.0)
    start, stop = prep.start_day[placed], prep.stop_day[placed]
    mark = np.array([MARK_CLASS.get(p, "place") for p in prep.precision[placed].tolist()], dtype=object)

    def frame_marks(i: int) -> np.ndarray:
        """Incidents overlapping the window of `window` periods ending with period i (deadliest first, capped)."""
        lo = step_days[max(0, i - window + 1)]
        hi = (step_days[i + 1] - 1) if i + 1 < len(step_days) else step_days[i] + days - 1
        inside = np.flatnonzero((start <= hi) & (stop >= lo))
        return inside[np.argsort(-deaths[inside], kind="stable")[:PLAYBACK_MARKS]]

    def map_trace(i: int) -> go.Scattergeo:
        at = frame_marks(i)
        rows = placed[at]
        kinds = prep.types[prep.type_code[rows]].tolist()
        fill = [colors.get(k, "#555555") for k in kinds]
        marks = mark[at].tolist()
        return go.Scattergeo(
            lat=prep.lat[rows], lon=prep.lon[rows], mode="markers", name="incidents", showlegend=False,
            customdata=prep.hover(rows) if len(rows) else None,
            hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]} · %{customdata[5]}<br>%{customdata[6]}<extra></extra>",
            marker=dict(color=fill, symbol=[MARK_SYMBOLS[m][0] for m in marks],
                        size=marker_sizes(tolls["killed_low"][rows], tolls["injured_low"][rows]),
                        line=dict(color=[_line_color(m, c) for m, c in zip(marks, fill)],
                                  width=[_line_width(m) for m in marks]), opacity=0.85, sizemode="diameter"),
            geo="geo")

    def window_shape(i: int) -> dict[str, Any]:
        lo = steps[max(0, i - window + 1)]
        hi = _iso(np.array([step_days[i] + days]))[0]
        return dict(type="rect", xref="x", yref="paper", x0=lo, x1=hi, y0=0, y1=0.34,
                    fillcolor="rgba(31, 78, 121, 0.15)", line=dict(color="#1F4E79", width=1))

    fig.add_trace(map_trace(len(steps) - 1))
    palette = _series_colors(prep, table.columns.tolist(), colors, by)
    for name in table.columns:
        fig.add_trace(go.Bar(x=steps, y=table[name].tolist(), name=str(name), marker=dict(color=palette[name]),
                             xaxis="x", yaxis="y", offset=0, width=days * 0.8 * _DAY_MS,
                             hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}}: %{{y:,.0f}}<extra></extra>"))
    label = "week of " if unit == "week" else ""
    frames = []
    for i, step in enumerate(steps):
        frames.append(go.Frame(name=step, data=[map_trace(i)], traces=[0],
                               layout=dict(shapes=[window_shape(i)],
                                           title_text=f"{label}{step[:7] if unit == 'month' else step} "
                                                      f"(window: {window} {unit}{'s' if window != 1 else ''})")))
    fig.frames = frames
    bounds = _bounds(prep.lat[placed], prep.lon[placed])
    geo: dict[str, Any] = dict(domain=dict(x=[0, 1], y=[0.42, 1.0]), projection_type="natural earth",
                               showcountries=True, countrycolor="#8c8c8c", showcoastlines=True,
                               coastlinecolor="#6b6b6b", showland=True, landcolor="#f2efe9", showocean=True,
                               oceancolor="#e3eef7", showframe=False, resolution=110)
    if bounds:
        geo["lataxis_range"], geo["lonaxis_range"] = bounds
    slider_steps = [dict(method="animate", label=s[:7] if unit == "month" else s[5:],
                         args=[[s], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                         transition=dict(duration=0))]) for s in steps]
    fig.update_layout(
        geo=geo, height=height, barmode="stack", margin=dict(l=10, r=20, t=40, b=10),
        xaxis=dict(domain=[0, 1], anchor="y", type="date"), yaxis=dict(domain=[0, 0.34], title=MEASURES[measure]),
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0), shapes=[window_shape(len(steps) - 1)],
        title=dict(text=f"{label}{steps[-1][:7] if unit == 'month' else steps[-1]}", x=0.01, y=0.99),
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=0.40, xanchor="left", yanchor="top",
                          pad=dict(t=0, r=10), showactive=False, buttons=[
                              dict(label="▶ Play", method="animate",
                                   args=[None, dict(frame=dict(duration=frame_ms, redraw=True), fromcurrent=True,
                                                    transition=dict(duration=0), mode="immediate")]),
                              dict(label="❚❚ Pause", method="animate",
                                   args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                                                      transition=dict(duration=0))])])],
        sliders=[dict(active=len(steps) - 1, steps=slider_steps, x=0.16, len=0.84, y=0.40, yanchor="top",
                      pad=dict(t=0, b=0), currentvalue=dict(visible=False))],
        meta={"frames": len(steps), "unit": unit, "window": window},
    )
    return fig
