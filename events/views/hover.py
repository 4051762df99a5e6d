"""Hover texts of the figures' marks: the eight escaped fields of an incident (id first) and their templates.

Article text is untrusted: plotly reads a little HTML in hover labels, so every field is escaped here.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from events.views.labels import _esc_series, _floats, _str


def _casualties_series(killed: pd.Series, injured: pd.Series) -> pd.Series:
    """`casualties_text` for whole columns."""
    parts = []
    for values, word in ((killed, "killed"), (injured, "injured")):
        num = pd.Series(_floats(values), index=values.index)
        text = num.map(lambda v: "" if math.isnan(v) else f"{int(v)} {word}")
        parts.append(text.astype(object))
    both = (parts[0] != "") & (parts[1] != "")
    out = parts[0] + np.where(both, ", ", "") + parts[1]
    return out.where(out != "", "no figures").astype(object)


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


def _hover_columns(frame: pd.DataFrame, labels: Mapping[str, str] | None) -> pd.DataFrame:
    """The eight hover fields of each incident (id first), escaped, computed column-wise."""
    start, end = _str(frame["start"]), _str(frame["end"])
    date_range = start.where((start == end) | (end == ""), start + " – " + end)
    return pd.DataFrame({
        "id": _str(frame["id"]), "title": _esc_series(_str(frame["title"])),
        "date_text": _esc_series(_str(frame["date_text"], "(no date in text)")),
        "precision": _esc_series(_str(frame["precision"], "undated")), "range": _esc_series(_str(date_range)),
        "place": _esc_series(_str(frame["place"], "(no place)")),
        "casualties": _casualties_series(frame["killed"], frame["injured"]),
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
        parts = ([f"{int(k)} killed"] if not math.isnan(k) else []) + ([f"{int(i)} injured"] if not math.isnan(i) else [])
        out.append(", ".join(parts) or "no figures")
    return out


def _single_text(h: np.ndarray) -> list[str]:
    """The hover of an ungrouped incident as one HTML string (for a grouped mark holding one incident)."""
    return [f"<b>{r[1]}</b><br>Date: “{r[2]}” ({r[3]}: {r[4]})<br>Place: {r[5]}<br>Casualties: {r[6]}<br>Sources:<br>{r[7]}"
            for r in h.tolist()]
