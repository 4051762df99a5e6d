"""Hover texts of the figures' marks: the eight escaped fields of an incident (id first) and their templates.

Article text is untrusted: plotly reads a little HTML in hover labels, so every field is escaped here.
"""

from __future__ import annotations

import html
import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from events.views.columns import PRECISION_LABELS
from events.views.labels import _esc_series, _str, _text
from events.views.tolls import casualty_phrases, toll_columns


def _source_lists(sources: pd.Series, labels: Mapping[str, str] | None) -> pd.Series:
    """'a;b;c;d;e' -> '· A<br>· B<br>· C<br>· D<br>· and 1 more' (escaped labels), for a whole column."""
    labels = labels or {}
    # values, not the Series: its index (a filtered table's) must not be aligned with 0..n-1
    frame = pd.DataFrame({"s": _str(sources).str.split(";").to_numpy(dtype=object)}, index=range(len(sources)))
    ex = frame["s"].explode()
    ex = ex[ex.notna() & (ex != "")]
    out = pd.Series("", index=range(len(sources)), dtype=object)
    if len(ex):
        pos = ex.groupby(level=0).cumcount()
        count = ex.groupby(level=0).size()
        named = ex.map(lambda s: labels.get(s, s)).astype(str)
        lines = "· " + _esc_series(named[pos < 4])
        joined = lines.groupby(level=0).agg("<br>".join)
        more = count[count > 4]
        joined.loc[more.index] = joined.loc[more.index] + "<br>· and " + (more - 4).astype(str) + " more"
        out.loc[joined.index] = joined
    out.index = sources.index
    return out


def place_texts(written: Sequence[Any], gazetteer: Sequence[Any], ids: Sequence[Any], precision: Sequence[Any]) -> list[str]:
    """The place of each incident for a hover label, escaped: as the sources write it, the gazetteer's name and id
    beside it, and how precise it is: 'Peking (gazetteer: Beijing, 1816670) · town or city'."""
    out = []
    for w, g, i, p in zip(written, gazetteer, ids, precision):
        w, g, i, p = _text(w), _text(g), _text(i), _text(p)
        if not w and not g:
            out.append("(no place)")
            continue
        name = w or g
        ref = ", ".join(x for x in (g if g and g != name else "", i) if x)
        text = name + (f" (gazetteer: {ref})" if ref and g and g != name else f" (gazetteer id {i})" if i else "")
        out.append(html.escape(text, quote=False) + " · " + PRECISION_LABELS.get(p, p or "not placed"))
    return out


def _hover_columns(frame: pd.DataFrame, labels: Mapping[str, str] | None,
                   names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The eight hover fields of each incident (id first), escaped, computed column-wise."""
    from events.views.columns import place_precision, place_written, qualifier

    start, end = _str(frame["start"]), _str(frame["end"])
    texts = {}
    for which in ("killed", "injured"):
        reports = frame[f"{which}_reports"] if f"{which}_reports" in frame else None
        texts[which] = toll_columns(frame[which], reports, qualifier(frame, which))[2]
    gid = _str(frame["geonameid"]) if "geonameid" in frame else pd.Series("", index=frame.index)
    date_range = start.where((start == end) | (end == ""), start + " – " + end)
    return pd.DataFrame({
        "id": _str(frame["id"]), "title": _esc_series(_str(frame["title"])),
        "date_text": _esc_series(_str(frame["date_text"], "(no date in text)")),
        "precision": _esc_series(_str(frame["precision"], "undated")), "range": _esc_series(_str(date_range)),
        "place": place_texts(place_written(frame).tolist(), _str(frame["place"]).tolist(), gid.tolist(),
                             place_precision(frame, names).tolist()),
        "casualties": casualty_phrases(texts["killed"], texts["injured"]),
        "sources": _source_lists(frame["sources"], labels),
    }, index=frame.index).astype(object)


def _hover_rows(frame: pd.DataFrame, labels: Mapping[str, str] | None) -> list[list[str]]:
    if not len(frame):
        return []
    return _hover_columns(frame, labels).to_numpy(dtype=object).tolist()


_HOVER = ("<b>%{customdata[1]}</b><br>Date: “%{customdata[2]}” (%{customdata[3]}: %{customdata[4]})"
          "<br>Place: %{customdata[5]}<br>Casualties: %{customdata[6]}<br>Sources:<br>%{customdata[7]}<extra></extra>")
# grouped marks: customdata = [space-separated ids, summary HTML]
_GROUP_HOVER = "%{customdata[1]}<extra></extra>"


def _casualties_texts(killed: np.ndarray, injured: np.ndarray) -> list[str]:
    out = []
    for k, i in zip(killed.tolist(), injured.tolist()):
        parts = ([f"{int(k):,} killed"] if not math.isnan(k) else []) + ([f"{int(i):,} injured"] if not math.isnan(i) else [])
        out.append(", ".join(parts) or "no figures")
    return out


def _single_text(h: np.ndarray) -> list[str]:
    """The hover of an ungrouped incident as one HTML string (for a grouped mark holding one incident)."""
    return [f"<b>{r[1]}</b><br>Date: “{r[2]}” ({r[3]}: {r[4]})<br>Place: {r[5]}<br>Casualties: {r[6]}<br>Sources:<br>{r[7]}"
            for r in h.tolist()]
