"""Marks shared by the timeline and the map: above `MARK_LIMIT` incidents nearby ones are grouped into one mark;
selection state (which marks hold highlighted incidents) and reading a chart's selection back into incident ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from events.views.days import _NO_DAY, _iso
from events.views.hover import _casualties_texts, _single_text
from events.views.labels import _esc
from events.views.prepared import Prepared


FADED_OPACITY = 0.15


# Up to this many incidents a chart draws one mark per incident (SVG); above, incidents are grouped into at most
# about this many marks: the timeline by row, type and day/week/month/quarter/year, the map by type and a grid
# cell sized to the points' extent. A grouped mark's customdata[0] holds all its incident ids, space-separated,
# so selecting it selects every incident in it (see `selected_ids`).
MARK_LIMIT = 3000
ID_SEPARATOR = " "


def _top_text(groups: np.ndarray, values: np.ndarray, names: np.ndarray, n_groups: int, n: int = 3) -> np.ndarray:
    """Per group: 'A (12), B (3), C (1)' - the n most frequent values (integer codes into `names`, already
    escaped for hover labels)."""
    out = np.full(n_groups, "", dtype=object)
    if not len(groups):
        return out
    width = int(values.max()) + 1
    pairs, counts = np.unique(groups * width + values, return_counts=True)
    group, value = pairs // width, pairs % width
    order = np.lexsort((value, -counts, group))  # by group, most frequent first
    group, value, counts = group[order], value[order], counts[order]
    starts = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
    top = rank < n
    group, value, counts = group[top], value[top], counts[top]
    items = [f"{name} ({c:,})" for name, c in zip(names[value].tolist(), counts.tolist())]
    bounds = np.r_[0, np.flatnonzero(np.diff(group)) + 1, len(group)].tolist()
    out[group[bounds[:-1]]] = [", ".join(items[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    return out


def _groups(prep: Prepared, pos: np.ndarray, codes: np.ndarray, n_groups: int, keep: np.ndarray | None,
            cache: Any = None) -> dict[str, Any]:
    """Per group of the incidents at `pos` (`codes`: group numbers in order of first appearance): first member,
    ids (space-separated), count, summed casualties, mean position, whether any is kept, and the hover text.

    A group of one incident gets the same hover text as an ungrouped mark; a larger one a summary (count, types,
    dates, most frequent places, casualties, an example). With `cache` (a hashable naming the grouping, say the
    chart and the digest of `pos`) everything but the highlight is kept in `prep` for the next rerun."""
    base = prep.cached(("groups", cache), lambda: _group_base(prep, pos, codes, n_groups)) if cache is not None \
        else _group_base(prep, pos, codes, n_groups)
    selected = (np.bincount(codes, weights=keep[pos], minlength=n_groups) > 0) if keep is not None \
        else np.zeros(n_groups, dtype=bool)
    return {**base, "selected": selected}


def _group_base(prep: Prepared, pos: np.ndarray, codes: np.ndarray, n_groups: int) -> dict[str, Any]:
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    first = pos[order[np.r_[0, bounds]]] if len(codes) else pos[:0]
    count = np.bincount(codes, minlength=n_groups)
    out: dict[str, Any] = {"first": first, "count": count}
    if len(codes):
        ids = prep.ids[pos[order]].tolist()
        edges = np.r_[0, bounds, len(ids)].tolist()
        out["ids"] = [ID_SEPARATOR.join(ids[a:b]) for a, b in zip(edges[:-1], edges[1:])]
    else:
        out["ids"] = []
    for col in ("killed", "injured"):
        values = prep.tolls()[f"{col}_low"][pos]  # the lowest reported figures: a sum no larger than the sources say
        known = ~np.isnan(values)
        total = np.bincount(codes, weights=np.where(known, values, 0.0), minlength=n_groups)
        out[col] = np.where(np.bincount(codes, weights=known, minlength=n_groups) > 0, total, np.nan)
    for col in ("lat", "lon"):
        out[col] = np.bincount(codes, weights=np.nan_to_num(getattr(prep, col)[pos]), minlength=n_groups) / np.maximum(count, 1)
    summary = np.full(n_groups, "", dtype=object)
    single = np.flatnonzero(count == 1)
    if len(single):
        summary[single] = _single_text(prep.hover(first[single]))
    many = np.flatnonzero(count > 1)
    if len(many):
        member = count[codes] > 1
        g, p = codes[member], pos[member]
        lo = np.full(n_groups, np.iinfo(np.int64).max)
        hi = np.full(n_groups, _NO_DAY)
        dated = prep.start_day[p] != _NO_DAY
        np.minimum.at(lo, g[dated], prep.start_day[p][dated])
        np.maximum.at(hi, g[dated], prep.stop_day[p][dated])
        kinds = _top_text(g, prep.kind_label_code[p], prep.escaped("kind_label_values"), n_groups)[many].tolist()
        places = _top_text(g, prep.place_code[p], prep.escaped("place_values"), n_groups)[many].tolist()
        casualties = _casualties_texts(out["killed"][many], out["injured"][many])
        undated = (hi[many] == _NO_DAY).tolist()
        a = _iso(np.where(hi[many] == _NO_DAY, 0, lo[many])).tolist()
        b = _iso(np.where(hi[many] == _NO_DAY, 0, hi[many])).tolist()
        when = ["undated" if u else (x if x == y else f"{x} – {y}") for u, x, y in zip(undated, a, b)]
        examples = [_esc(t) for t in prep.titles()[first[many]].tolist()]
        summary[many] = [f"<b>{c:,} incidents</b><br>Types: {k}<br>Dates: {w}<br>Places: {pl}"
                         f"<br>Casualties: {cs}<br>e.g. {e}<br><i>select to pick all of them</i>"
                         for c, k, w, pl, cs, e in zip(count[many].tolist(), kinds, when, places, casualties, examples)]
    out["summary"] = summary
    return out


def _customdata(ids: np.ndarray, summary: np.ndarray) -> np.ndarray:
    """[ids, hover text] per grouped mark, as a 2-d object array (plotly takes numpy arrays without walking them)."""
    out = np.empty((len(ids), 2), dtype=object)
    out[:, 0], out[:, 1] = ids, summary
    return out


def _picked(selected: np.ndarray | None, keep: np.ndarray | None) -> list[int] | None:
    """selectedpoints of a trace: the marks holding a highlighted incident (None: no highlight, nothing faded)."""
    if keep is None or selected is None:
        return None
    return np.flatnonzero(selected).tolist()


def selection_points(selection: Any) -> list:
    """The points of a plotly chart's selection (Streamlit's selection state or a plain dict); [] when none."""
    if not selection:
        return []
    if hasattr(selection, "get") and "selection" in selection:
        selection = selection["selection"]
    return list(selection.get("points", []) or []) if hasattr(selection, "get") else []


def selected_ids(selection: Any) -> list[str]:
    """Incident ids picked in a plotly chart (Streamlit's selection state or a plain dict), in order, once each.

    A grouped mark (see `MARK_LIMIT`) stands for all the incidents in it, so picking it picks all of them."""
    points = selection_points(selection)
    out: list[str] = []
    seen: set[str] = set()
    for point in points or []:
        data = point.get("customdata") if hasattr(point, "get") else None
        if isinstance(data, (list, tuple)) and data:
            data = data[0]
        if data is None:
            continue
        for incident_id in str(data).split(ID_SEPARATOR):  # a grouped mark holds all its incidents' ids
            if incident_id and incident_id not in seen:
                seen.add(incident_id)
                out.append(incident_id)
    return out
