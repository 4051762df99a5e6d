"""The map figure: incidents at their coordinates over offline world outlines, sized by casualties, coloured by type."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from events.views.columns import MARK_CLASS, PRECISIONS as _PRECISIONS
from events.views.hover import _GROUP_HOVER, _HOVER
from events.views.labels import _floats
from events.views.marks import FADED_OPACITY, MARK_LIMIT, _customdata, _groups, _picked
from events.views.prepared import Prepared, _digest, _first_codes, _view


def marker_sizes(killed: pd.Series, injured: pd.Series, cap: float = 30.0) -> list[float]:
    """Diameter grows with the square root of casualties: 8 px for none or unknown, at most `cap` px (30)."""
    k = np.nan_to_num(_floats(killed), nan=0.0)
    i = np.nan_to_num(_floats(injured), nan=0.0)
    return np.minimum(cap, 8.0 + 1.6 * np.sqrt(np.maximum(0.0, k + 0.5 * i))).tolist()


def placed_mask(incidents: pd.DataFrame) -> pd.Series:
    """True where an incident has numeric coordinates (it can be drawn on the map)."""
    lat = pd.to_numeric(incidents["lat"], errors="coerce")
    lon = pd.to_numeric(incidents["lon"], errors="coerce")
    return (lat.notna() & lon.notna()).astype(bool)


def map_bounds(lats: Iterable[float], lons: Iterable[float], min_span: float = 16.0) -> tuple[list[float], list[float]] | None:
    """Lat and lon ranges that hold every point with a margin (at least `min_span` degrees each way)."""
    la = pd.to_numeric(pd.Series(list(lats), dtype=object), errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(pd.Series(list(lons), dtype=object), errors="coerce").to_numpy(dtype=float)
    return _bounds(la, lo, min_span)


def _bounds(la: np.ndarray, lo: np.ndarray, min_span: float = 16.0) -> tuple[list[float], list[float]] | None:
    ok = np.isfinite(la) & np.isfinite(lo)
    if not ok.any():
        return None
    la, lo = la[ok], lo[ok]
    lat_lo, lat_hi, lon_lo, lon_hi = float(la.min()), float(la.max()), float(lo.min()), float(lo.max())
    lat_span = max(min_span, (lat_hi - lat_lo) * 1.3)
    lon_span = max(min_span * 1.6, (lon_hi - lon_lo) * 1.3, lat_span * 1.6)
    lat_c, lon_c = (lat_lo + lat_hi) / 2, (lon_lo + lon_hi) / 2
    lat_span = max(lat_span, lon_span / 1.8)
    lat_range = [max(-85.0, lat_c - lat_span / 2), min(85.0, lat_c + lat_span / 2)]
    lon_range = [max(-180.0, lon_c - lon_span / 2), min(180.0, lon_c + lon_span / 2)]
    return lat_range, lon_range


# map grid cells in degrees, finest first (the finest whose marks fit in the limit is used)
_MAP_CELLS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0)


def map_cell(placed: pd.DataFrame, limit: int = MARK_LIMIT) -> float:
    """The finest grid cell (degrees) at which the placed incidents make at most `limit` marks (type x cell)."""
    lat = pd.to_numeric(placed["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(placed["lon"], errors="coerce").to_numpy(dtype=float)
    kinds = pd.factorize(placed["type"])[0].astype(np.int64)
    for cell in _MAP_CELLS:
        key = ((np.floor(lat / cell).astype(np.int64) + 10_000) * 100_000 + (np.floor(lon / cell).astype(np.int64) + 10_000)) * 64 + kinds
        if len(np.unique(key)) <= limit:
            return cell
    return _MAP_CELLS[-1]


# the map's marks by place precision (`columns.MARK_CLASS`): plotly symbol, legend text
MARK_SYMBOLS = {"place": ("circle", "town, city or exact place"),
                "area": ("circle-open", "district, province or state (approximate)"),
                "country": ("square-open", "country or region centre (not the place)")}
LEGEND_TITLE = "Colour: incident type"
# what the shapes and sizes mean, written under the map (plotly's legend cannot lay out so many keys in a column)
SHAPE_KEY = ("● town or exact place   ○ district or province (approximate)<br>"
             "□ country or region centre (not the place)<br>size: killed, lowest reported figure")
_CLASS_ORDER = ("place", "area", "country")
CLUSTER_ABOVE = 400  # above this many placed incidents the map draws clusters (one mark per type, precision and cell)
LABELLED = 8  # the incidents with the highest death tolls get their place written beside the mark, where it fits


# where a label may sit around its mark, tried in this order: (plotly textposition, dx, dy in label widths/heights)
_LABEL_SPOTS = (("top center", -0.5, -1.0), ("bottom center", -0.5, 0.0), ("middle right", 0.0, -0.5),
                ("middle left", -1.0, -0.5), ("top right", 0.0, -1.0), ("top left", -1.0, -1.0),
                ("bottom right", 0.0, 0.0), ("bottom left", -1.0, 0.0))
LABEL_FONT = 11  # px


def label_positions(lat: np.ndarray, lon: np.ndarray, sizes: np.ndarray, texts: list[str], height: int = 420,
                    font: int = LABEL_FONT) -> list[str | None]:
    """A plotly textposition for each labelled mark (texts[i] != '') so that no label covers another label or a
    mark, or None where every spot is taken (that label is left out rather than drawn over another). Marks are
    placed on a plane scaled to the map's height (the map shows every mark: `_bounds`); the earlier a label in the
    list, the better its spot (callers pass the deadliest first)."""
    bounds = _bounds(lat, lon)
    out: list[str | None] = [None] * len(texts)
    if bounds is None:
        return out
    (lat0, lat1), (lon0, lon1) = bounds
    per_degree = max(height - 20, 50) / max(lat1 - lat0, 1e-6)
    x = (np.nan_to_num(lon, nan=0.0) - lon0) * per_degree * 0.87  # natural earth narrows longitudes a little
    y = (lat1 - np.nan_to_num(lat, nan=0.0)) * per_degree
    r = np.asarray(sizes, dtype=float) / 2 + 1
    taken: list[tuple[float, float, float, float]] = [(x[i] - r[i], y[i] - r[i], x[i] + r[i], y[i] + r[i])
                                                      for i in range(len(texts))]

    def free(box: tuple[float, float, float, float], own: int) -> bool:
        return not any(box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3]
                       for j, t in enumerate(taken) if j != own)

    for i, text in enumerate(texts):
        if not text:
            continue
        w, h = len(text) * font * 0.6 + 4, font * 1.3
        for spot, fx, fy in _LABEL_SPOTS:
            # beside the mark: a label starting at the mark's right edge, ending at its left edge, or centred on it
            left = x[i] + fx * w + {0.0: r[i], -1.0: -r[i]}.get(fx, 0.0)
            top = y[i] + fy * h + {0.0: r[i], -1.0: -r[i]}.get(fy, 0.0)
            box = (left, top, left + w, top + h)
            if free(box, i):
                out[i] = spot
                taken.append(box)
                break
    return out


def mark_classes(prep: Prepared, pos: np.ndarray) -> np.ndarray:
    """0 (a place), 1 (an admin area) or 2 (a country or region centroid) for the incidents at `pos`."""
    classes = np.array([_CLASS_ORDER.index(MARK_CLASS.get(p, "place")) for p in _PRECISIONS], dtype=np.int64)
    codes = pd.Index(_PRECISIONS).get_indexer(prep.precision[pos])
    return np.where(codes >= 0, classes[np.maximum(codes, 0)], 0)


def _legend_traces(types: list[tuple[str, str]]) -> list[go.Scattergeo]:
    """Legend-only entries (one missing point each): the colour of each (type, label)."""
    out = []
    for i, (label, color) in enumerate(types):
        out.append(go.Scattergeo(
            lat=[None], lon=[None], mode="markers", name=label, hoverinfo="skip", legendrank=1000 + i,
            marker=dict(symbol="circle", color=color, size=11, line=dict(color="white", width=1))))
    return out


def map_figure(incidents: pd.DataFrame, colors: Mapping[str, str], highlight: Iterable[str] | None = None,
               labels: Mapping[str, str] | None = None, height: int = 420, resolution: int = 110,
               limit: int = CLUSTER_ABOVE, prepared: Prepared | None = None,
               positions: np.ndarray | None = None, legend: bool = True, labelled: int = LABELLED,
               names: Mapping[str, str] | None = None) -> go.Figure:
    """Incidents at their coordinates over offline world outlines: colour is the type, size the lowest reported
    death toll, shape the place precision (a filled dot for a town, a ring for an admin area, a hollow square for
    a country or region centroid, which is not where the incident happened). The `labelled` deadliest incidents
    carry their place as written. A legend says what colours, shapes and sizes mean.

    Above `limit` placed incidents, incidents of one type and precision in one grid cell (the finest cell that
    keeps the marks under the limit) become one cluster at their mean position, sized by their summed lowest
    figures and labelled with its count. `prepared` (see `prepared`) holds the table `incidents` were filtered
    from, with its precomputed columns; `positions` (from `filter_positions`) which of its rows are shown, in place
    of `incidents`. `names` (ISO2 -> country name) tell a country's centre from a town for tables without
    `place_precision`."""
    prep, pos = _view(incidents, prepared, labels, names, positions=positions)
    pos = pos[prep.placed[pos]]
    keep = prep.keep_mask(highlight)
    grouped = len(pos) > limit
    kinds = prep.type_code[pos].astype(np.int64)
    classes = mark_classes(prep, pos)
    n_types = max(len(prep.types), 1)
    tolls = prep.tolls()
    traces = []
    shown_types: set[str] = set()

    def legend_for(kind: str) -> dict[str, Any]:
        shown_types.add(kind)
        return dict(showlegend=False)

    common = dict(selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=FADED_OPACITY)))
    if grouped:
        view_key = ("map", limit, _digest(pos)) if prepared is prep else None

        def cell_codes():
            for cell in _MAP_CELLS:
                key = (prep.cells(cell)[pos] * n_types + kinds) * 3 + classes
                if np.count_nonzero(np.bincount(key)) <= limit:
                    break
            return (cell, *_first_codes(key))

        cell, codes, n_groups = prep.cached(("cells", view_key), cell_codes) if view_key is not None else cell_codes()
        g = _groups(prep, pos, codes, n_groups, keep, cache=view_key)
        g_kind = prep.type_code[g["first"]]
        g_class = mark_classes(prep, g["first"])
        ids = np.asarray(g["ids"], dtype=object)
        sizes = np.asarray(marker_sizes(g["killed"], g["injured"], cap=40.0))
        counts = np.asarray(g["count"])
        for k in sorted(set(g_kind.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            for c, name in enumerate(_CLASS_ORDER):
                mine = np.flatnonzero((g_kind == k) & (g_class == c))
                if not len(mine):
                    continue
                symbol = MARK_SYMBOLS[name][0]
                text = [f"{n:,}" if n > 1 else "" for n in counts[mine].tolist()]
                traces.append(go.Scattergeo(
                    name=prep.type_label.get(kind) or kind, **legend_for(kind), mode="markers+text",
                    lat=g["lat"][mine].round(4), lon=g["lon"][mine].round(4), text=text,
                    textposition="middle center", textfont=dict(size=10, color="#222222"),
                    marker=dict(color=colors.get(kind, "#555555"), size=np.maximum(sizes[mine], 14.0), opacity=0.8,
                                symbol=symbol, line=dict(color=_line_color(name, colors.get(kind, "#555555")), width=_line_width(name)),
                                sizemode="diameter"),
                    customdata=_customdata(ids[mine], g["summary"][mine]), hovertemplate=_GROUP_HOVER,
                    selectedpoints=_picked(g["selected"][mine], keep), **common))
    else:
        # the deadliest incidents carry their place as written, where it fits without covering another label
        spots = np.full(prep.n, None, dtype=object)
        if labelled and len(pos):
            deaths = np.nan_to_num(tolls["killed_low"][pos], nan=-1.0)
            order = pos[np.argsort(-deaths, kind="stable")]
            top = order[:labelled]
            ranked = np.concatenate([top, order[~np.isin(order, top)]])  # labelled marks first, then the rest
            sizes_all = np.asarray(marker_sizes(tolls["killed_low"][ranked], tolls["injured_low"][ranked]))
            texts = [_short(w) for w in prep.written[top].tolist()] + [""] * (len(ranked) - len(top))
            spots[ranked] = label_positions(prep.lat[ranked], prep.lon[ranked], sizes_all, texts, height=height)
        for k in sorted(set(kinds.tolist()), key=lambda c: prep.types[c]):
            kind = str(prep.types[k])
            for c, name in enumerate(_CLASS_ORDER):
                part = pos[(kinds == k) & (classes == c)]
                if not len(part):
                    continue
                color = colors.get(kind, "#555555")
                text = [_short(w) if p else "" for w, p in zip(prep.written[part].tolist(), spots[part].tolist())]
                traces.append(go.Scattergeo(
                    name=prep.type_label.get(kind) or kind, **legend_for(kind),
                    mode="markers+text" if any(text) else "markers", text=text if any(text) else None,
                    textposition=[p or "top center" for p in spots[part].tolist()] if any(text) else "top center",
                    textfont=dict(size=LABEL_FONT, color="#222222"),
                    lat=prep.lat[part], lon=prep.lon[part],
                    marker=dict(color=color, symbol=MARK_SYMBOLS[name][0],
                                size=np.asarray(marker_sizes(tolls["killed_low"][part], tolls["injured_low"][part])),
                                opacity=0.85, line=dict(color=_line_color(name, color), width=_line_width(name)),
                                sizemode="diameter"),
                    customdata=prep.hover(part), hovertemplate=_HOVER,
                    selectedpoints=_picked(keep[part] if keep is not None else None, keep), **common))
    fig = go.Figure()
    fig.add_traces(traces)
    geo: dict[str, Any] = dict(
        projection_type="natural earth", resolution=resolution, showcountries=True, countrycolor="#8c8c8c",
        showcoastlines=True, coastlinecolor="#6b6b6b", showland=True, landcolor="#f2efe9", showocean=True,
        oceancolor="#e3eef7", showlakes=True, lakecolor="#e3eef7", showframe=False,
    )
    bounds = _bounds(prep.lat[pos], prep.lon[pos])
    if bounds:
        geo["lataxis_range"], geo["lonaxis_range"] = bounds
    fig.update_geos(**geo)
    if legend and len(pos):
        kinds_shown = sorted(shown_types, key=lambda k: prep.type_label.get(k) or k)
        fig.add_traces(_legend_traces([(prep.type_label.get(k) or k, colors.get(k, "#555555")) for k in kinds_shown]))
        fig.add_annotation(text=SHAPE_KEY, showarrow=False, xref="paper", yref="paper", x=0,
                           y=0, xanchor="left", yanchor="top", align="left", font=dict(size=11, color="#333333"),
                           yshift=-4, name="shape-key")
    fig.update_layout(margin=dict(l=0, r=0, t=10, b=60 if legend and len(pos) else 0), height=height, dragmode="pan", clickmode="event+select",
                      legend=dict(orientation="h", yanchor="top", y=-0.2, x=0, font=dict(size=11),
                                  itemsizing="trace", title=dict(text=LEGEND_TITLE, side="top"),
                                  traceorder="normal", entrywidth=0, entrywidthmode="pixels"),
                      showlegend=bool(legend and len(pos)), uirevision="map")
    if grouped:
        fig.update_layout(meta={"grouped_by": f"{cell:g} degree cells", "incidents": int(len(pos))})
    return fig


def _line_color(mark: str, color: str) -> str:
    return "white" if mark == "place" else color


def _line_width(mark: str) -> float:
    return 1.0 if mark == "place" else 2.5


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
