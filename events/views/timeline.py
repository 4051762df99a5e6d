"""The timeline figure: incidents on a time axis, a bar for a span and a diamond for a day, rows grouped by type,
continent, country or admin area.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from events.views.days import _DAY_MS, _NO_DAY, _TIME_BINS, _day_numbers, _iso
from events.views.filters import DEFAULT_GROUP_BY
from events.views.hover import _GROUP_HOVER, _HOVER
from events.views.labels import _str
from events.views.marks import FADED_OPACITY, MARK_LIMIT, _customdata, _groups, _picked
from events.views.prepared import Prepared, _digest, _first_codes, _view


MAX_ROWS = 14  # rows beyond this many (the least populated) share one "Other" row
GROUP_NOUNS = {"type": "types", "continent": "continents", "region": "regions", "country": "countries",
               "admin1": "areas"}


def _capped_rows(rows: np.ndarray, row_names: np.ndarray, max_rows: int, noun: str) -> np.ndarray:
    """Row names with all but the `max_rows - 1` most populated rows renamed "Other (n countries)"."""
    if not len(rows) or max_rows <= 1:
        return row_names
    counts = np.bincount(rows, minlength=len(row_names))
    present = np.flatnonzero(counts)
    if len(present) <= max_rows:
        return row_names
    order = present[np.lexsort((row_names[present].astype(str), -counts[present]))]
    others = order[max_rows - 1:]
    out = row_names.copy()
    out[others] = f"Other ({len(others)} {noun})"
    return out


def full_span(starts: Iterable[str], ends: Iterable[str]) -> tuple[str, str] | None:
    """The whole date span of the incidents, padded so the first and last bars are not cut at the edges."""
    def days(values: Iterable[str]) -> np.ndarray:
        out = _day_numbers(_str(values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)))
        return out[out != _NO_DAY]

    return _full_span(days(starts), days(ends))


def _full_span(starts: np.ndarray, stops: np.ndarray) -> tuple[str, str] | None:
    if not len(starts):
        return None
    lo = int(starts.min())
    hi = int(max(stops.max(), starts.max()) if len(stops) else starts.max()) + 1
    pad = max(6, math.ceil((hi - lo) * 0.04))
    a, b = _iso([lo - pad, hi + pad])
    return a, b


def focus_range(starts: Iterable[str], ends: Iterable[str], share: float = 0.7, min_days: int = 45) -> tuple[str, str] | None:
    """The shortest date window holding `share` of the incidents, padded: where the timeline opens."""
    def days(values: Iterable[str]) -> np.ndarray:
        out = _day_numbers(_str(values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)))
        return out[out != _NO_DAY]

    return _focus_days(np.sort(days(starts)), days(ends), share, min_days)

def _focus_days(points: np.ndarray, stops: np.ndarray, share: float = 0.7, min_days: int = 45) -> tuple[str, str] | None:
    """`focus_range` on day numbers (`points` sorted)."""
    if not len(points):
        return None
    last = int(max(stops.max(), points[-1])) if len(stops) else int(points[-1])
    k = max(1, math.ceil(share * len(points)))
    widths = points[k - 1:] - points[: len(points) - k + 1]
    i = int(np.argmin(widths))
    lo, hi = int(points[i]), int(points[i + k - 1])
    # the window's incidents may end later than they start (a month-precision bar)
    hi = max(hi, min(last, hi + 31))
    width = max(hi - lo, min_days)
    pad = width * 0.15
    centre = lo + (hi - lo) / 2
    a, b = _iso([math.floor(centre - width / 2 - pad), math.floor(centre + width / 2 + pad)])
    return a, b


def _timeline_marks(prep: Prepared, pos: np.ndarray, rows: np.ndarray, limit: int):
    """Assign each dated incident (at `pos`) to a mark: first/last day and whether it is a bar (a span).

    Incidents shorter than the bin become points at their bin's middle; longer ones stay bars, grouped with the
    incidents of exactly the same span. The finest bin whose marks fit in `limit` is used. Returns
    (bin name, x0, x1, point, group codes, number of groups)."""
    start, stop = prep.start_day[pos], prep.stop_day[pos]
    length = stop - start + 1
    is_day = prep.is_day[pos]
    kind = prep.type_code[pos].astype(np.int64)
    day0 = int(start.min()) - 400
    width = int(max(int(stop.max()) - day0 + 400, 1))
    for name, unit, days in _TIME_BINS:
        point = is_day | (length <= days) if name != "day" else is_day
        mid = prep.bin_start(unit)[pos] + days // 2
        x0 = np.where(point, mid, start)
        x1 = np.where(point, mid, stop)
        # one int64 per (row, type, span or point, first day, last day)
        key = ((rows * 64 + kind) * 2 + point) * width * width + (x0 - day0) * width + (x1 - day0)
        codes, n_groups = _first_codes(key)
        if n_groups <= limit or name == "year":
            break
    return name, x0, x1, point, codes, n_groups


def timeline_figure(incidents: pd.DataFrame, colors: Mapping[str, str], group_by: str = DEFAULT_GROUP_BY,
                    highlight: Iterable[str] | None = None, labels: Mapping[str, str] | None = None,
                    names: Mapping[str, str] | None = None, height: int | None = None,
                    limit: int = MARK_LIMIT, prepared: Prepared | None = None,
                    positions: np.ndarray | None = None, max_rows: int = MAX_ROWS) -> go.Figure:
    """Incidents on a time axis: a bar from start to end+1 day for month/season/year dates, a marker for a day.

    Rows are groups (type, continent, country or admin area); colour is the incident type. With `highlight`
    (incident ids) the others are faded. Undated incidents cannot be placed and are left out. Above `limit`
    dated incidents, nearby ones are grouped into one mark each (see `MARK_LIMIT`). Beyond `max_rows` rows the
    least populated are drawn together in one "Other …" row. The axis opens on the whole span of the incidents. `prepared` (see `prepared`)
    holds the table `incidents` were filtered from, with its precomputed columns; `positions` (from
    `filter_positions`) which of its rows are shown, in place of `incidents`. The grouping of a view is kept in
    `prepared`, so a rerun that only changes the highlight reuses it.
    """
    prep, pos = _view(incidents, prepared, labels, names, positions)
    pos = pos[prep.dated[pos]]
    row_codes, row_names = prep.rows(group_by)
    rows = row_codes[pos]
    row_names = _capped_rows(rows, row_names, max_rows, GROUP_NOUNS.get(group_by, "groups"))
    present = np.unique(row_names[np.unique(rows)]) if len(rows) else np.array([], dtype=object)
    rows_order = sorted(present.tolist(), key=lambda r: (r == "Unknown", str(r).startswith("Other "), str(r)))
    keep = prep.keep_mask(highlight)
    fig = go.Figure()
    grouped = len(pos) > limit
    kinds = prep.type_code[pos]
    traces = []
    if grouped:
        view_key = ("timeline", group_by, limit, _digest(pos)) if prepared is prep else None
        marks = prep.cached(("marks", view_key), lambda: _timeline_marks(prep, pos, rows, limit)) \
            if view_key is not None else _timeline_marks(prep, pos, rows, limit)
        bin_name, x0, x1, point, codes, n_groups = marks
        g = _groups(prep, pos, codes, n_groups, keep, cache=view_key)
        firsts = np.r_[0, np.flatnonzero(np.diff(codes[np.argsort(codes, kind="stable")])) + 1]
        at = np.argsort(codes, kind="stable")[firsts]  # index (into pos) of each group's first member
        g_kind, g_row, g_x0, g_x1, g_bar = kinds[at], row_names[rows[at]], x0[at], x1[at], ~point[at]
        ids = np.asarray(g["ids"], dtype=object)
        for k in sorted(set(g_kind.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            label, color = prep.type_label.get(kind) or kind, colors.get(kind, "#555555")
            mine = g_kind == k
            spans, points = np.flatnonzero(mine & g_bar), np.flatnonzero(mine & ~g_bar)
            if len(spans):
                traces.append(go.Bar(
                    name=label, legendgroup=kind, orientation="h", y=g_row[spans], base=_iso(g_x0[spans]),
                    x=((g_x1[spans] - g_x0[spans] + 1) * _DAY_MS).astype(float),
                    marker=dict(color=color, line=dict(color=color, width=1)), opacity=0.55,
                    customdata=_customdata(ids[spans], g["summary"][spans]), hovertemplate=_GROUP_HOVER,
                    selectedpoints=_picked(g["selected"][spans], keep), width=0.5,
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
            if len(points):
                size = np.minimum(20.0, 7.0 + 1.5 * np.sqrt(g["count"][points].astype(float)))
                traces.append(go.Scatter(
                    name=label, legendgroup=kind, showlegend=not len(spans), mode="markers", y=g_row[points],
                    x=_iso(g_x0[points]), marker=dict(color=color, size=size, symbol="diamond",
                                                      line=dict(color="white", width=1)),
                    customdata=_customdata(ids[points], g["summary"][points]), hovertemplate=_GROUP_HOVER,
                    selectedpoints=_picked(g["selected"][points], keep),
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
    else:
        for k in sorted(set(kinds.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            part = pos[kinds == k]
            color = colors.get(kind, "#555555")
            label = prep.type_label.get(kind) or kind
            day = prep.is_day[part]
            spans, days = part[~day], part[day]
            if len(spans):
                traces.append(go.Bar(
                    name=label, legendgroup=kind, orientation="h", y=row_names[row_codes[spans]],
                    base=prep.start_str[spans],
                    x=((prep.stop_day[spans] - prep.start_day[spans] + 1) * _DAY_MS).astype(float),
                    marker=dict(color=color, line=dict(color=color, width=1)),
                    opacity=0.55, customdata=prep.hover(spans), hovertemplate=_HOVER,
                    selectedpoints=_picked(keep[spans] if keep is not None else None, keep), width=0.5,
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
            if len(days):
                traces.append(go.Scatter(
                    name=label, legendgroup=kind, showlegend=not len(spans), mode="markers",
                    y=row_names[row_codes[days]], x=prep.start_str[days],
                    marker=dict(color=color, size=11, symbol="diamond", line=dict(color="white", width=1)),
                    customdata=prep.hover(days), hovertemplate=_HOVER,
                    selectedpoints=_picked(keep[days] if keep is not None else None, keep),
                    selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)),
                ))
    fig.add_traces(traces)
    starts = prep.start_day[pos]
    ok = starts != _NO_DAY
    span = _full_span(starts[ok], prep.stop_day[pos][ok])
    fig.update_layout(
        barmode="overlay", dragmode="pan", clickmode="event+select", hovermode="closest",
        margin=dict(l=10, r=20, t=30, b=10), height=height or max(280, 110 + 30 * len(rows_order)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, title_text=""),
        showlegend=group_by != "type",  # rows already name the types; colours need a key for other groupings
        uirevision=group_by,
    )
    if grouped:
        fig.update_layout(meta={"grouped_by": bin_name, "incidents": int(len(pos))})
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(rows_order)), title_text="", automargin=True)
    xaxis: dict[str, Any] = dict(type="date", rangeslider=dict(visible=True, thickness=0.08), title_text="")
    if span:
        xaxis["range"] = list(span)
        xaxis["rangeslider"]["range"] = list(span)
        xaxis["rangeslider"]["autorange"] = False
    fig.update_xaxes(**xaxis)
    if not len(pos):
        fig.add_annotation(text="No dated incidents to show", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    return fig
